//! Print the `Database` CRD manifest (`cargo run -p example-from-structs > database.yaml`),
//! or write it to the path given as the first argument.

fn main() -> std::io::Result<()> {
    let yaml = example_from_structs::manifest();
    match std::env::args_os().nth(1) {
        Some(path) => std::fs::write(path, yaml),
        None => {
            print!("{yaml}");
            Ok(())
        }
    }
}
