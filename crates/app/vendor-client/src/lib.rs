//! The app's HTTPS client for the vendor service (wire types in `hearth-vendor-api`).
//!
//! - trusts only the vendor profile's CA, never the system roots (EN 303 645 4.5-1); rustls on
//!   the ring provider, TLS 1.2/1.3,
//! - connect and request timeouts, responses bounded in size and validated into typed values,
//! - catalogue entries accepted only with a valid signature by the profile's catalogue key,
//! - transient failures retried with capped exponential backoff and full jitter
//!   ([`backoff`]), from an injected random source and sleeper.

pub mod backoff;
pub mod error;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use reqwest::StatusCode;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

use backoff::{JitterSource, OsJitter, RetryPolicy, Sleeper, TokioSleeper};
pub use error::ClientError;
use hearth_vendor_api::catalogue::{DeviceModel, is_model_id};
use hearth_vendor_api::profile::VendorProfile;
use hearth_vendor_api::signature::{SignedCatalogue, SignedEntry};
use hearth_vendor_api::telemetry::{
    ErrorBody, Health, PseudonymGrant, PseudonymRequest, TelemetryAccepted, TelemetryReport,
};

/// Limits and patience of a [`VendorClient`].
#[derive(Debug, Clone, Copy)]
pub struct ClientSettings {
    pub connect_timeout: Duration,
    /// Whole request, body included.
    pub request_timeout: Duration,
    /// Largest response body read; larger ones are refused.
    pub max_response_bytes: usize,
    pub retry: RetryPolicy,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            max_response_bytes: 1024 * 1024,
            retry: RetryPolicy::default(),
        }
    }
}

/// The parsed parts of security.txt the app shows (RFC 9116, EN 303 645 4.2-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityContact {
    pub contacts: Vec<String>,
    pub policy: Option<String>,
    /// RFC 3339 text of `Expires:`.
    pub expires: String,
    pub preferred_languages: Vec<String>,
    /// `Canonical:`, where the file is published, if given.
    pub canonical: Option<String>,
}

/// A response as received (the exact bytes, for a cache) and as validated.
#[derive(Debug, Clone)]
pub struct Fetched<T> {
    pub raw: Vec<u8>,
    pub value: T,
}

pub struct VendorClient {
    http: reqwest::Client,
    base: String,
    catalogue_key: VerifyingKey,
    settings: ClientSettings,
    jitter: Mutex<Box<dyn JitterSource>>,
    sleeper: Arc<dyn Sleeper>,
}

impl std::fmt::Debug for VendorClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VendorClient")
            .field("base", &self.base)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl VendorClient {
    /// A client for the service the profile names, with OS jitter and the tokio timer.
    ///
    /// # Errors
    /// [`ClientError::InvalidConfig`] if the URL is not `https://`, the CA PEM holds no usable
    /// certificate, or the catalogue key is not a valid Ed25519 public key.
    pub fn new(profile: &VendorProfile, settings: ClientSettings) -> Result<Self, ClientError> {
        Self::with_jitter(
            profile,
            settings,
            Box::new(OsJitter),
            Arc::new(TokioSleeper),
        )
    }

    /// As [`VendorClient::new`] with an injected random source and sleeper (tests,
    /// simulations).
    ///
    /// # Errors
    /// As [`VendorClient::new`].
    pub fn with_jitter(
        profile: &VendorProfile,
        settings: ClientSettings,
        jitter: Box<dyn JitterSource>,
        sleeper: Arc<dyn Sleeper>,
    ) -> Result<Self, ClientError> {
        let invalid = |m: String| ClientError::InvalidConfig(m);
        let base = profile.service_url.trim_end_matches('/').to_owned();
        if !base.starts_with("https://") {
            return Err(invalid("service_url must start with https://".into()));
        }
        if settings.retry.max_attempts == 0 || settings.max_response_bytes == 0 {
            return Err(invalid(
                "max_attempts and max_response_bytes must be positive".into(),
            ));
        }
        let mut key = [0u8; 32];
        hex::decode_to_slice(profile.catalogue_key.trim(), &mut key)
            .map_err(|_| invalid("catalogue_key must be 64 hex digits".into()))?;
        let catalogue_key = VerifyingKey::from_bytes(&key)
            .map_err(|_| invalid("catalogue_key is not an Ed25519 public key".into()))?;

        let http = pinned_https_client(
            &profile.ca_pem,
            settings.connect_timeout,
            settings.request_timeout,
        )?;
        Ok(Self {
            http,
            base,
            catalogue_key,
            settings,
            jitter: Mutex::new(jitter),
            sleeper,
        })
    }

    /// `GET /health`.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn health(&self) -> Result<Health, ClientError> {
        let bytes = self.send(Method::Get, "/health", None).await?;
        parse(&bytes)
    }

    /// One model's catalogue entry, signature checked against the profile's key.
    ///
    /// # Errors
    /// [`ClientError::Wire`] with [`hearth_vendor_api::WireError::BadSignature`] for an altered entry, any
    /// other [`ClientError`] for transport problems.
    pub async fn catalogue_entry(&self, model: &str) -> Result<DeviceModel, ClientError> {
        Ok(self.signed_catalogue_entry(model).await?.value)
    }

    /// As [`VendorClient::catalogue_entry`], with the signed entry's bytes as received, so a
    /// cache can keep them and check them again later with [`VendorClient::verify_entry`].
    ///
    /// # Errors
    /// As [`VendorClient::catalogue_entry`].
    pub async fn signed_catalogue_entry(
        &self,
        model: &str,
    ) -> Result<Fetched<DeviceModel>, ClientError> {
        if !is_model_id(model) {
            return Err(ClientError::InvalidConfig(format!(
                "{model:?} is not a model id"
            )));
        }
        let bytes = self
            .send(Method::Get, &format!("/v1/catalogue/{model}"), None)
            .await?;
        let value = self.verify_entry(model, &bytes)?;
        Ok(Fetched { raw: bytes, value })
    }

    /// Checks the bytes of a signed entry for `model` (from the service or a cache) with the
    /// profile's catalogue key, exactly as a fresh answer is checked.
    ///
    /// # Errors
    /// [`ClientError::Malformed`] or [`ClientError::Wire`].
    pub fn verify_entry(&self, model: &str, bytes: &[u8]) -> Result<DeviceModel, ClientError> {
        let signed: SignedEntry = parse(bytes)?;
        let entry = signed.verify(&self.catalogue_key)?;
        if entry.model != model {
            return Err(ClientError::Malformed(format!(
                "asked for {model:?}, got the entry of {:?}",
                entry.model
            )));
        }
        Ok(entry)
    }

    /// Every catalogue entry; refused whole if any entry fails verification.
    ///
    /// # Errors
    /// As [`VendorClient::catalogue_entry`].
    pub async fn catalogue(&self) -> Result<Vec<DeviceModel>, ClientError> {
        let bytes = self.send(Method::Get, "/v1/catalogue", None).await?;
        let signed: SignedCatalogue = parse(&bytes)?;
        signed
            .entries
            .iter()
            .map(|e| e.verify(&self.catalogue_key).map_err(ClientError::from))
            .collect()
    }

    /// The vendor's security contact and policy.
    ///
    /// # Errors
    /// [`ClientError::Malformed`] if security.txt lacks `Contact:` or `Expires:`.
    pub async fn security_contact(&self) -> Result<SecurityContact, ClientError> {
        Ok(self.security_txt().await?.value)
    }

    /// As [`VendorClient::security_contact`], with the file's bytes as received.
    ///
    /// # Errors
    /// As [`VendorClient::security_contact`].
    pub async fn security_txt(&self) -> Result<Fetched<SecurityContact>, ClientError> {
        let bytes = self
            .send(Method::Get, "/.well-known/security.txt", None)
            .await?;
        let value = parse_security_txt(&bytes)?;
        Ok(Fetched { raw: bytes, value })
    }

    /// This period's pseudonym for a device.
    ///
    /// # Errors
    /// Any [`ClientError`].
    pub async fn pseudonym(
        &self,
        model: &str,
        device_id: &str,
    ) -> Result<PseudonymGrant, ClientError> {
        let body = json(&PseudonymRequest {
            model: model.to_owned(),
            device_id: device_id.to_owned(),
        })?;
        let bytes = self
            .send(Method::Post, "/v1/telemetry/pseudonym", Some(body))
            .await?;
        parse(&bytes)
    }

    /// Sends one telemetry report. A random `Idempotency-Key`, the same for every retry, makes
    /// the service store it once even when an answer was lost and the request repeated.
    ///
    /// # Errors
    /// [`ClientError::Rejected`] with code `telemetry.undeclared_field` etc. when refused.
    pub async fn send_telemetry(
        &self,
        report: &TelemetryReport,
    ) -> Result<TelemetryAccepted, ClientError> {
        let mut key = [0u8; 16];
        getrandom::fill(&mut key)
            .map_err(|e| ClientError::InvalidConfig(format!("random generator failed: {e}")))?;
        let key = hex::encode(key);
        let body = json(report)?;
        let bytes = self
            .send_with_key(Method::Post, "/v1/telemetry", Some(body), Some(&key))
            .await?;
        parse(&bytes)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, ClientError> {
        self.send_with_key(method, path, body, None).await
    }

    /// One request with retries of transient failures.
    async fn send_with_key(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<u8>, ClientError> {
        let policy = self.settings.retry;
        let mut retry = 0u32;
        loop {
            match self
                .attempt(method, path, body.clone(), idempotency_key)
                .await
            {
                Err(e) if e.is_transient() && retry + 1 < policy.max_attempts => {
                    let delay = {
                        let mut jitter = self
                            .jitter
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        policy.delay(retry, jitter.as_mut())
                    };
                    self.sleeper.sleep(delay).await;
                    retry += 1;
                }
                other => return other,
            }
        }
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut request = match method {
            Method::Get => self.http.get(url),
            Method::Post => self.http.post(url),
        };
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| ClientError::from_reqwest(&e))?;
        let status = response.status();
        let limit = self.settings.max_response_bytes;
        if response
            .content_length()
            .is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX))
        {
            return Err(ClientError::ResponseTooLarge { limit });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| ClientError::from_reqwest(&e))?
        {
            if bytes.len() + chunk.len() > limit {
                return Err(ClientError::ResponseTooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return Ok(bytes);
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ClientError::ServerUnavailable {
                status: status.as_u16(),
            });
        }
        let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|_| ErrorBody {
            code: "http.unexpected_status".into(),
            message: format!("HTTP {status}"),
        });
        Err(ClientError::Rejected {
            status: status.as_u16(),
            code: body.code,
            message: body.message,
        })
    }
}

/// An HTTPS client that trusts only the certificates in `ca_pem` (the vendor profile's CA),
/// never the system roots (EN 303 645 4.5-1): rustls on the ring provider, TLS 1.2/1.3,
/// HTTP/1.1, `https://` only, no redirects (a redirect could lead anywhere; the vendor
/// never redirects), with a connect timeout and a whole-request timeout. Shared by the
/// vendor client and the update client (`hearth-updates`); classify its failures with
/// [`ClientError::from_reqwest`].
///
/// # Errors
/// [`ClientError::InvalidConfig`] if the PEM holds no usable certificate.
pub fn pinned_https_client(
    ca_pem: &str,
    connect_timeout: Duration,
    request_timeout: Duration,
) -> Result<reqwest::Client, ClientError> {
    let invalid = |m: String| ClientError::InvalidConfig(m);
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| invalid(format!("ca_pem: {e}")))?;
        roots
            .add(cert)
            .map_err(|e| invalid(format!("ca_pem: {e}")))?;
    }
    if roots.is_empty() {
        return Err(invalid("ca_pem holds no certificate".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .https_only(true)
        .connect_timeout(connect_timeout)
        .timeout(request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| invalid(e.to_string()))
}

/// Reads the fields the app shows from a security.txt file (RFC 9116 §2.5).
///
/// # Errors
/// [`ClientError::Malformed`] if it is not UTF-8 or lacks `Contact:` or `Expires:`.
pub fn parse_security_txt(bytes: &[u8]) -> Result<SecurityContact, ClientError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ClientError::Malformed("security.txt is not UTF-8".into()))?;
    let mut contact = SecurityContact {
        contacts: Vec::new(),
        policy: None,
        expires: String::new(),
        preferred_languages: Vec::new(),
        canonical: None,
    };
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match name.trim().to_ascii_lowercase().as_str() {
            "contact" => contact.contacts.push(value),
            "policy" => contact.policy = Some(value),
            "expires" => contact.expires = value,
            "preferred-languages" => {
                contact.preferred_languages =
                    value.split(',').map(|l| l.trim().to_owned()).collect();
            }
            "canonical" => contact.canonical = Some(value),
            _ => {}
        }
    }
    if contact.contacts.is_empty() || contact.expires.is_empty() {
        return Err(ClientError::Malformed(
            "security.txt lacks Contact or Expires".into(),
        ));
    }
    Ok(contact)
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Get,
    Post,
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(bytes).map_err(|e| ClientError::Malformed(e.to_string()))
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(value).map_err(|e| ClientError::Malformed(e.to_string()))
}
