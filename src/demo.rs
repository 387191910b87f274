//! The insecure demo deployment embedded in the binary, so a new user sees the tool work with
//! no file of their own. The files live in `templates/demo/`.

use std::path::Path;

/// The demo config: a hand-written, commented `kratos.yml` that trips most rules.
pub const CONFIG: &str = include_str!("../templates/demo/kratos.yml");

/// The identity schema the demo config names (`file://identity.schema.json`).
pub const IDENTITY_SCHEMA: &str = include_str!("../templates/demo/identity.schema.json");

/// Writes the demo files into `dir` and returns the config path.
pub fn materialize(dir: &Path) -> std::io::Result<std::path::PathBuf> {
    let config = dir.join("kratos.yml");
    std::fs::write(&config, CONFIG)?;
    std::fs::write(dir.join("identity.schema.json"), IDENTITY_SCHEMA)?;
    Ok(config)
}
