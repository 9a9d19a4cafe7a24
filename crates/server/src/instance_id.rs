//! This instance's name among those sharing a database: made once and kept in its data
//! directory, so a restarted instance is known as itself (and takes over the turn leases its
//! previous process left, `store::lease`). Instances must not share a data directory.

use std::path::Path;

use anyhow::Context;

const FILE: &str = "instance-id";

pub fn load_or_create(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    std::fs::write(&path, &id).with_context(|| format!("writing {}", path.display()))?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_instance_keeps_its_name_across_restarts_and_another_gets_its_own() {
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = super::load_or_create(one.path()).unwrap();
        assert_eq!(super::load_or_create(one.path()).unwrap(), first);
        assert_ne!(super::load_or_create(two.path()).unwrap(), first);
    }
}
