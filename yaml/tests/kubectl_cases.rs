//! Every recorded kubectl case (`tests/kubectl/`, or `CRDGEN_YAML_KUBECTL_DIR`): the
//! reader must give exactly the `spec` kubectl sent (`expected/NAME.json`), or refuse
//! the file where kubectl refused it (`expected/NAME.error.txt`).

use std::path::PathBuf;

fn cases_dir() -> PathBuf {
    std::env::var_os("CRDGEN_YAML_KUBECTL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl"))
}

#[test]
fn every_case_reads_as_kubectl_reads_it() {
    let dir = cases_dir();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("cases"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("cases").display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    let (mut equal, mut refused) = (0, 0);
    for name in &names {
        let text = std::fs::read_to_string(dir.join("cases").join(format!("{name}.yaml")))
            .expect("a readable case");
        let expected_json = dir.join("expected").join(format!("{name}.json"));
        let expected_error = dir.join("expected").join(format!("{name}.error.txt"));
        let got = crdgen_yaml::parse(&text, Default::default());
        // Both readers agree wherever the fast one reads the case.
        if let Some(fast) = crdgen_yaml::parse_fast(&text, Default::default()) {
            let slow = crdgen_yaml::parse_saphyr(&text, Default::default());
            let same = slow.as_ref().is_ok_and(|slow| {
                slow.len() == fast.len() && slow.iter().zip(&fast).all(|(s, f)| s.root == f.root)
            });
            if !same {
                failures.push(format!("{name}: the fast reader and saphyr's disagree"));
            }
        }
        if expected_error.exists() {
            match got {
                Err(e) => {
                    refused += 1;
                    let kubectl = std::fs::read_to_string(&expected_error).unwrap();
                    eprintln!("{name}: refused: {e}\n    kubectl: {}", kubectl.trim());
                    // Where kubectl names a line, the reader names the same one.
                    if let Some(line) = kubectl_line(&kubectl)
                        && line != e.pos.line
                    {
                        failures.push(format!(
                            "{name}: refused at line {}, kubectl says line {line}",
                            e.pos.line
                        ));
                    }
                }
                Ok(docs) => failures.push(format!(
                    "{name}: kubectl refused it, the reader gave {}",
                    docs.first().map(|d| d.root.to_json()).unwrap_or_default()
                )),
            }
            continue;
        }
        let want: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_json).unwrap_or_else(|e| {
                panic!(
                    "{name}: neither {} nor an error file: {e}",
                    expected_json.display()
                )
            }),
        )
        .expect("expected JSON");
        match got {
            Err(e) => failures.push(format!("{name}: refused ({e}), kubectl sent {want}")),
            Ok(docs) if docs.len() != 1 => {
                failures.push(format!("{name}: {} documents, not 1", docs.len()))
            }
            Ok(docs) => {
                let spec = docs[0].root.to_json()["spec"].clone();
                if spec == want {
                    equal += 1;
                } else {
                    failures.push(format!("{name}:\n    got  {spec}\n    want {want}"));
                }
            }
        }
    }
    eprintln!(
        "kubectl cases: {equal} equal, {refused} refused as kubectl refused, {} wrong, of {}",
        failures.len(),
        names.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The line in a kubectl message such as `yaml: line 9: could not find expected ':'`.
fn kubectl_line(message: &str) -> Option<usize> {
    let rest = &message[message.find("line ")? + 5..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}
