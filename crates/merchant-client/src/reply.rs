//! An answer as it came, and what can go wrong reaching the server.

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

/// The status and the body text, untouched.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server could not be reached, or the connection broke before the answer was read.
    #[error("calling {url}: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The server refused: its status and error envelope as sent.
    #[error("the server answered {status}: {text}")]
    Status { status: StatusCode, text: String },
    /// A 2xx answer that is not the expected JSON.
    #[error("unexpected answer ({source}): {text}")]
    Body {
        text: String,
        #[source]
        source: serde_json::Error,
    },
}

impl Reply {
    /// Reads a whole response.
    pub async fn read(response: reqwest::Response) -> Result<Reply, reqwest::Error> {
        let status = response.status();
        let text = response.text().await?;
        Ok(Reply { status, text })
    }

    /// Itself when the status is 2xx, the refusal otherwise.
    pub fn success(self) -> Result<Reply, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(Error::Status {
                status: self.status,
                text: self.text,
            })
        }
    }

    /// The body as `T` (use `serde_json::Value` to look at any JSON).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(&self.text).map_err(|source| Error::Body {
            text: self.text.clone(),
            source,
        })
    }
}
