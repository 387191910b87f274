//! Any bytes as a config, an env file and Helm values: errors are fine, panics and hangs are not.
#![no_main]

use kratos_harden::config::{Deployment, env, load};
use kratos_harden::rules::{Context, Profile, check_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = load::decode(bytes.to_vec(), "fuzz.yml") else {
        return;
    };
    if let Ok(mut deployment) =
        Deployment::from_texts(vec![("fuzz.yml".into(), "fuzz.yml".to_owned(), text.clone())])
    {
        deployment.add_env_text(std::path::Path::new("fuzz.env"), "fuzz.env".to_owned(), text.clone());
        let cx = Context::new(&deployment, Profile::Production, None);
        let _ = check_all(&cx);
    }
    let _ = env::parse(&text);
    if let Ok(deployment) =
        Deployment::from_helm_values(vec![("values.yaml".into(), "values.yaml".to_owned(), text)])
    {
        let cx = Context::new(&deployment, Profile::Development, None);
        let _ = check_all(&cx);
    }
});
