//! Inqud's API: every call carries `X-Token-API-Id` and `X-Token-API-Secret`; answers are the
//! objects themselves, unwrapped.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::model::{Checkout, NewCheckout, NewRequest};
use crate::config::{InqudConfig, Secret};
use crate::providers::json_api::{Call, JsonApi};

/// `/v1/user/crypto-acquiring/{projectId}/checkouts` (documented).
pub fn checkouts_path(project_id: &str) -> String {
    format!("/v1/user/crypto-acquiring/{project_id}/checkouts")
}

/// One checkout: `GET …/checkouts/{id}` (assumed: not in the public summary).
pub fn checkout_path(project_id: &str, id: &str) -> String {
    format!("{}/{id}", checkouts_path(project_id))
}

/// The payer's request: `POST …/checkouts/{id}/request` (assumed: not in the public summary).
pub fn request_path(project_id: &str, id: &str) -> String {
    format!("{}/{id}/request", checkouts_path(project_id))
}

#[derive(Clone)]
pub struct InqudClient {
    api: JsonApi,
    project_id: String,
    api_id: Secret,
    api_secret: Secret,
}

impl InqudClient {
    pub fn new(config: &InqudConfig) -> anyhow::Result<InqudClient> {
        Ok(InqudClient {
            api: JsonApi::new(config.http, &config.base_url, &[])?,
            project_id: config.project_id.clone(),
            api_id: config.api_id.clone(),
            api_secret: config.api_secret.clone(),
        })
    }

    async fn call<T: DeserializeOwned>(&self, call: Call<'_>) -> anyhow::Result<T> {
        self.api
            .call(call, |request, _, _| {
                request
                    .header("X-Token-API-Id", self.api_id.expose())
                    .header("X-Token-API-Secret", self.api_secret.expose())
                    .header("Accept", "application/json")
            })
            .await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        name: &'static str,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        let body = Some(serde_json::to_vec(body)?);
        let method = Method::POST;
        self.call(Call {
            name,
            method,
            path,
            body,
        })
        .await
    }

    pub async fn create_checkout(&self, checkout: &NewCheckout<'_>) -> anyhow::Result<Checkout> {
        let path = checkouts_path(&self.project_id);
        self.post("inqud create checkout", &path, checkout).await
    }

    pub async fn create_request(&self, id: &str, request: &NewRequest) -> anyhow::Result<()> {
        let path = request_path(&self.project_id, id);
        let _: serde_json::Value = self.post("inqud create request", &path, request).await?;
        Ok(())
    }

    pub async fn checkout(&self, id: &str) -> anyhow::Result<Checkout> {
        let path = checkout_path(&self.project_id, id);
        self.call(Call {
            name: "inqud get checkout",
            method: Method::GET,
            path: &path,
            body: None,
        })
        .await
    }
}
