//! HTTP routes. Handlers are thin: parse and bound the input, call the logic, map the result.
//!
//! No handler reads the peer address and the request log has no client address field: the
//! service never records IP addresses (EN 303 645 4.10-2 [6-5]). The admission layer turns the
//! peer address into an opaque [`ClientKey`] for rate limits; that is all a handler sees.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Extension, MatchedPath, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hearth_vendor_api::telemetry::{Health, PseudonymGrant, TelemetryAccepted};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::catalogue::Catalogue;
use crate::client::ClientKey;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{Database, Recorded, Stored};
use crate::error::ApiError;
use crate::period_key::PeriodKeys;
use crate::pseudonym::{Rotation, is_pseudonym, pseudonym};
use crate::throttle::Throttle;
use crate::{anomaly, decode, intake, security_txt};

/// Largest request body accepted.
pub const MAX_BODY: usize = 16 * 1024;

/// Shared, immutable state of one instance; all mutable state is in the database.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    config: Config,
    db: Database,
    catalogue: Catalogue,
    clock: Arc<dyn Clock>,
    admin_token_sha256: [u8; 32],
    throttle: Throttle,
    period_keys: PeriodKeys,
}

impl AppState {
    pub fn new(
        config: Config,
        db: Database,
        catalogue: Catalogue,
        period_keys: PeriodKeys,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let mut admin_token_sha256 = [0u8; 32];
        // Config::load checked it is 64 hex digits; a failure leaves all zeros, which no
        // token hashes to, so the admin endpoint stays closed.
        let _ = hex::decode_to_slice(&config.admin_token_sha256, &mut admin_token_sha256);
        let throttle = Throttle::new(
            &config.limits.rates,
            config.limits.new_pseudonyms_per_client,
        );
        Self(Arc::new(Inner {
            throttle,
            period_keys,
            config,
            db,
            catalogue,
            clock,
            admin_token_sha256,
        }))
    }

    pub(crate) fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn throttle(&self) -> &Throttle {
        &self.0.throttle
    }

    pub(crate) fn now(&self) -> i64 {
        self.0.clock.now_unix_i64()
    }

    fn rotation(&self) -> Rotation {
        Rotation {
            period_secs: self.0.config.telemetry.pseudonym_period_secs,
            grace_secs: self.0.config.telemetry.pseudonym_grace_secs,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/.well-known/security.txt", get(security_txt_file))
        .route(security_txt::POLICY_PATH, get(security_policy))
        .route(security_txt::REPORT_PATH, get(security_report))
        .route("/v1/catalogue", get(catalogue_all))
        .route("/v1/catalogue/{model}", get(catalogue_one))
        .route("/v1/telemetry/pseudonym", post(issue_pseudonym))
        .route("/v1/telemetry", post(telemetry))
        .route("/v1/anomalies", get(anomalies))
        .fallback(|| async { ApiError::NotFound })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::admission::admit,
        ))
        .layer(middleware::from_fn(crate::error::typed_errors))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

fn text_plain(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    let db_ok = state.0.db.ping().await.is_ok();
    let body = Health {
        status: if db_ok { "ok" } else { "degraded" }.into(),
        database: state.0.db.backend().name().into(),
        catalogue_entries: u32::try_from(state.0.catalogue.len()).unwrap_or(u32::MAX),
    };
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

async fn security_txt_file(State(state): State<AppState>) -> Response {
    text_plain(security_txt::render(
        &state.0.config,
        state.0.clock.now_unix_i64(),
    ))
}

async fn security_policy(State(state): State<AppState>) -> Response {
    text_plain(security_txt::policy(&state.0.config))
}

async fn security_report(State(state): State<AppState>) -> Response {
    text_plain(security_txt::report_page(&state.0.config))
}

async fn catalogue_all(State(state): State<AppState>) -> Response {
    Json(state.0.catalogue.signed()).into_response()
}

async fn catalogue_one(
    State(state): State<AppState>,
    model: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(model) = model.map_err(|_| ApiError::MalformedPath)?;
    let item = state
        .0
        .catalogue
        .get(&model)
        .ok_or_else(|| ApiError::UnknownModel(model.chars().take(64).collect()))?;
    Ok(Json(item.signed.clone()).into_response())
}

/// `POST /v1/telemetry/pseudonym`. Needs no credential, so what it stores is bounded: the
/// route is rate-limited per client (admission), a client may have at most
/// `new_pseudonyms_per_client` new pseudonyms issued per period, and the table at most
/// `max_pseudonyms` rows. Asking again for a pseudonym already issued stores nothing and is
/// always answered.
async fn issue_pseudonym(
    State(state): State<AppState>,
    Extension(client): Extension<ClientKey>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PseudonymGrant>, ApiError> {
    let request = decode::pseudonym_request(&headers, &body)?;
    if state.0.catalogue.get(&request.model).is_none() {
        return Err(ApiError::UnknownModel(
            request.model.chars().take(64).collect(),
        ));
    }
    let now = state.now();
    let rotation = state.rotation();
    let period = rotation.period_at(now);
    let db = &state.0.db;
    db.erase_keys_before(period).await?;
    let key = state.0.period_keys.key_for(db, period, now).await?;
    let pseudonym = pseudonym(&key, &request.model, &request.device_id);
    let valid_until = rotation.valid_until(period);
    let grant = Json(PseudonymGrant {
        pseudonym: pseudonym.clone(),
        period,
        valid_until,
    });
    let quota = &state.throttle().new_pseudonyms;
    if !quota.reserve(client, period) {
        return if db.pseudonym_valid(&pseudonym, &request.model, now).await? {
            Ok(grant)
        } else {
            let next_period = (period + 1).saturating_mul(rotation.period_secs);
            Err(ApiError::PseudonymQuota(
                u64::try_from(next_period.saturating_sub(now)).unwrap_or(1),
            ))
        };
    }
    let max = state.config().limits.max_pseudonyms;
    let mut recorded = db
        .record_pseudonym(&pseudonym, &request.model, period, valid_until, max)
        .await;
    if matches!(recorded, Ok(Recorded::Full)) {
        // Expired rows still count until purged; make room once before refusing.
        db.purge_expired(now).await?;
        recorded = db
            .record_pseudonym(&pseudonym, &request.model, period, valid_until, max)
            .await;
    }
    match recorded {
        Ok(Recorded::New) => Ok(grant),
        Ok(Recorded::Existing) => {
            quota.release(client, period);
            Ok(grant)
        }
        Ok(Recorded::Full) => {
            quota.release(client, period);
            tracing::warn!(max, "pseudonym table full; refusing new pseudonyms");
            Err(ApiError::Capacity)
        }
        Err(e) => {
            quota.release(client, period);
            Err(e.into())
        }
    }
}

/// `POST /v1/telemetry`. An `Idempotency-Key` header (1 to 64 of `[A-Za-z0-9_-]`) makes a
/// retried report count once: a repeat answers 200 with the first report's id instead of 201.
async fn telemetry(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<TelemetryAccepted>), ApiError> {
    let idempotency_key = decode::idempotency_key(&headers)?;
    let report = decode::telemetry_report(&headers, &body)?;
    let item = state
        .0
        .catalogue
        .get(&report.model)
        .ok_or_else(|| ApiError::UnknownModel(report.model.chars().take(64).collect()))?;
    let now = state.0.clock.now_unix_i64();
    // Validate everything before touching storage: a refused report leaves no trace.
    let values = intake::validate_report(&item.model, &report, now)?;
    if !is_pseudonym(&report.pseudonym) {
        return Err(ApiError::UnknownPseudonym);
    }
    let db = &state.0.db;
    if !db
        .pseudonym_valid(&report.pseudonym, &report.model, now)
        .await?
    {
        return Err(ApiError::UnknownPseudonym);
    }
    db.purge_expired(now).await?;
    let new_id = uuid::Uuid::new_v4().to_string();
    let stored = db
        .insert_report(
            &new_id,
            idempotency_key.as_deref(),
            &report.model,
            &report.pseudonym,
            now,
            &values,
        )
        .await?;
    let stored_fields = u32::try_from(values.len()).unwrap_or(u32::MAX);
    let (status, report_id) = match stored {
        Stored::New => {
            tracing::info!(model = %report.model, fields = values.len(), "telemetry stored");
            (StatusCode::CREATED, new_id)
        }
        Stored::Duplicate(first) => {
            tracing::info!(model = %report.model, "telemetry repeat ignored");
            (StatusCode::OK, first)
        }
    };
    Ok((
        status,
        Json(TelemetryAccepted {
            report_id,
            stored_fields,
        }),
    ))
}

/// `GET /v1/anomalies`: the token is checked before anything else of the request is read,
/// and wrong tokens lock the client out for a while (the right one included).
async fn anomalies(
    State(state): State<AppState>,
    Extension(client): Extension<ClientKey>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    authorise_admin(&state, client, &headers)?;
    let window = decode::anomaly_window(
        query.as_deref(),
        state.0.config.telemetry.anomaly_window_secs,
    )?;
    let list = anomaly::examine(
        &state.0.db,
        &state.0.catalogue,
        &state.0.config.telemetry,
        state.now(),
        window,
    )
    .await?;
    Ok(Json(list).into_response())
}

/// Compares SHA-256 of the presented token with the configured hash in constant time (the
/// hash also hides the token's length).
fn authorise_admin(
    state: &AppState,
    client: ClientKey,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let failures = &state.throttle().admin_failures;
    let now = state.now();
    failures
        .check(client, now)
        .map_err(|retry| ApiError::RateLimited(retry.0))?;
    let presented = decode::bearer_token(headers).map(|t| Sha256::digest(t.as_bytes()));
    let valid =
        presented.is_some_and(|p| bool::from(p.as_slice().ct_eq(&state.0.admin_token_sha256)));
    if valid {
        Ok(())
    } else {
        failures.charge(client, now);
        Err(ApiError::Unauthorized)
    }
}
