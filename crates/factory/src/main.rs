//! `hearth-factory`: being written.

fn main() {
    eprintln!("hearth-factory: not implemented yet");
    std::process::exit(2);
}
