//! The transport: one base URL, one merchant key, one connection pool.

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

use crate::{Call, Error, Reply};

#[derive(Clone)]
pub struct MerchantClient {
    base: String,
    key: String,
    http: reqwest::Client,
}

impl MerchantClient {
    /// A client of the server at `base` (`http://host:port`, a trailing `/` is ignored).
    pub fn new(base: &str, key: &str) -> MerchantClient {
        MerchantClient {
            base: base.trim_end_matches('/').to_owned(),
            key: key.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path` carrying the merchant key, for what no [`Call`] builds.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.key)
    }

    /// Sends `call` and returns the answer whatever its status.
    pub async fn send<T>(&self, call: Call<T>) -> Result<Reply, Error> {
        let url = self.url(&call.path);
        let mut request = self.request(call.method, &call.path);
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|source| Error::Transport {
            url: url.clone(),
            source,
        })?;
        Reply::read(response)
            .await
            .map_err(|source| Error::Transport { url, source })
    }

    /// Sends `call` and reads its typed answer; any status but 2xx is an [`Error::Status`].
    pub async fn call<T: DeserializeOwned>(&self, call: Call<T>) -> Result<T, Error> {
        self.send(call).await?.success()?.parse()
    }
}
