//! Which providers this server talks to: the sandbox when it is the chosen provider, each real
//! provider whose section is configured, and the one that opens new payments. Payments opened with a provider that is
//! no longer the active one are still re-read and resolved through it.

use std::sync::Arc;

use super::calypso::subscription::KeyStore;
use super::calypso::CalypsoProvider;
use super::coinsph::CoinsphProvider;
use super::evm::EvmProvider;
use super::inqud::InqudProvider;
use super::sandbox::SandboxProvider;
use super::Provider;
use crate::config::Config;

pub struct Registry {
    active: Arc<dyn Provider>,
    all: Vec<Arc<dyn Provider>>,
}

impl Registry {
    pub fn from_config(
        config: &Config,
        sandbox: Option<Arc<SandboxProvider>>,
        evm: Option<Arc<EvmProvider>>,
        calypso_keys: Option<Arc<dyn KeyStore>>,
    ) -> anyhow::Result<Registry> {
        let mut all: Vec<Arc<dyn Provider>> = Vec::new();
        if let Some(sandbox) = sandbox {
            all.push(sandbox);
        }
        if let Some(evm) = evm {
            all.push(evm);
        }
        if let Some(c) = &config.calypso {
            let mut calypso = CalypsoProvider::new(c.clone())?;
            // Keys stored by `calypso subscribe` belong to one webhook URL: ours.
            if let (Some(url), Some(keys)) = (config.webhook_url("calypso"), calypso_keys) {
                calypso = calypso.with_stored_keys(keys, &url);
            }
            all.push(Arc::new(calypso));
        }
        if let Some(c) = &config.inqud {
            all.push(Arc::new(InqudProvider::new(c.clone())?));
        }
        if let Some(c) = &config.coinsph {
            all.push(Arc::new(CoinsphProvider::new(c.clone())?));
        }
        let wanted = config.provider.name();
        let active = all
            .iter()
            .find(|p| p.name() == wanted)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("provider {wanted} is chosen but not configured"))?;
        Ok(Registry { active, all })
    }

    /// The provider new payments are opened with.
    pub fn active(&self) -> Arc<dyn Provider> {
        self.active.clone()
    }

    /// Every configured provider's name.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.all.iter().map(|p| p.name())
    }

    /// The provider a stored payment or an inbound webhook belongs to.
    pub fn named(&self, name: &str) -> Option<Arc<dyn Provider>> {
        self.all.iter().find(|p| p.name() == name).cloned()
    }
}
