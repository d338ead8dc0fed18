//! `fml-docread read-document`: the document reader alone (what `fml read-document` runs), for
//! the server's tests, whose own binary cannot be it. See `fml_app::docreader`.

fn main() -> std::process::ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some(fml_app::docreader::ARG) => fml_app::docreader::child_main(),
        _ => {
            eprintln!("usage: fml-docread {} < header-and-file", fml_app::docreader::ARG);
            std::process::ExitCode::from(2)
        }
    }
}
