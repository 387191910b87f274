//! The `kratos-harden` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    kratos_harden::commands::main()
}
