fn main() {
    std::process::exit(sev::cli::main());
}
