//! The Kubernetes libraries' estimated costs held to k8s.io/apiserver's
//! `pkg/cel/library/cost_test.go` (commit 24a394e5): every case written there as an
//! expression with its expected `CostEstimate{Min, Max}` (extracted into
//! `data/library_costs.tsv` by `data/extract_library_costs.py`), estimated with the
//! same size estimator (an unsized string or bytes is 0..12 long).

#[test]
fn library_costs_equal_apiservers() {
    let data = include_str!("data/library_costs.tsv");
    let (mut equal, mut total, mut unsure) = (0, 0, Vec::new());
    let mut differ = Vec::new();
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let (test, expr) = (f[0], f[1]);
        let want: (u64, u64) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        total += 1;
        match crdgen_cel::estimate_library_cost(expr) {
            Ok(Some(got)) if got == want => equal += 1,
            Ok(Some(got)) => differ.push(format!("{test}: {expr}: want {want:?}, got {got:?}")),
            Ok(None) => unsure.push(format!("{test}: {expr}")),
            Err(e) => unsure.push(format!("{test}: {expr}: {e}")),
        }
    }
    println!(
        "library cost_test.go: {equal} of {total} estimates equal, {} differ, {} not estimated",
        differ.len(),
        unsure.len()
    );
    for d in &differ {
        println!("  differs: {d}");
    }
    for u in &unsure {
        println!("  not estimated: {u}");
    }
    assert!(total > 100, "the table was not read");
    assert!(differ.is_empty(), "{} estimates differ", differ.len());
}
