//! What every request passes before its handler (EN 303 645 4.9-1, 4.13-1): a valid `Host`,
//! the client's rate limit for the route ([`crate::throttle`]), a body no larger than
//! [`MAX_BODY`] read in full within `body_read_ms`, and an answer within `request_ms`. The
//! body is read here, so handlers get it whole and a slow sender never holds a handler; a
//! `Content-Length` over the limit is refused before the body is asked for, so a client that
//! sent `Expect: 100-continue` gets 413 instead of `100 Continue`.
//!
//! Refusals that leave the body unread (too large, too slow) close an HTTP/1.1 connection
//! (`Connection: close`): the rest of the body would otherwise be read as the next request.
//! Every other refusal, a rate limit included, comes after the body is read.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use tokio::time::Instant;

use crate::client::ClientKey;
use crate::error::ApiError;
use crate::routes::{AppState, MAX_BODY};
use crate::throttle::Buckets;

pub(crate) async fn admit(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let limits = &state.config().limits;
    let http1 = request.version() < Version::HTTP_2;
    if let Err(refused) = check_host(&request) {
        return closing(refused, http1);
    }
    // Without connect info (a router served some other way) all requests are one client.
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |c| c.0.ip());
    let client = ClientKey::of(peer);
    request.extensions_mut().insert(client);
    let throttled = bucket(&state, &request).take(client, state.now()).err();
    if declared_length(request.headers()).is_some_and(|n| n > MAX_BODY as u64) {
        return closing(ApiError::TooLarge(MAX_BODY), http1);
    }
    let (parts, body) = request.into_parts();
    let read = http_body_util::Limited::new(body, MAX_BODY).collect();
    let body = match tokio::time::timeout(limits.body_read(), read).await {
        Ok(Ok(collected)) => Body::from(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return closing(ApiError::TooLarge(MAX_BODY), http1);
        }
        Ok(Err(_)) => return closing(ApiError::BodyUnreadable, http1),
        Err(_) => return closing(ApiError::BodyTimeout(limits.body_read_ms), http1),
    };
    // Refused only now that its body is read: answering before it would leave the body
    // unread, and clients then lose the answer to a reset (HTTP/2 RST_STREAM, TCP RST).
    if let Some(retry) = throttled {
        return ApiError::RateLimited(retry.0).into_response();
    }
    let left = limits.request().saturating_sub(started.elapsed());
    match tokio::time::timeout(left, next.run(Request::from_parts(parts, body))).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout.into_response(),
    }
}

/// The bucket of the route's class: anonymous writes each have their own, everything else
/// (reads, the admin route, unknown paths) shares one.
fn bucket<'a>(state: &'a AppState, request: &Request) -> &'a Buckets {
    let throttle = state.throttle();
    match request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
    {
        Some("/v1/telemetry/pseudonym") => &throttle.pseudonyms,
        Some("/v1/telemetry") => &throttle.telemetry,
        _ => &throttle.reads,
    }
}

/// RFC 9112 §3.2: an HTTP/1.1 request needs exactly one `Host`; RFC 9113 §8.3.1: an HTTP/2
/// request needs `:authority` or `Host`. HTTP/1.0 predates `Host`.
fn check_host(request: &Request) -> Result<(), ApiError> {
    let hosts = request.headers().get_all(header::HOST).iter().count();
    let valid = match request.version() {
        Version::HTTP_09 | Version::HTTP_10 => hosts <= 1,
        Version::HTTP_11 => hosts == 1,
        _ => hosts <= 1 && (hosts == 1 || request.uri().authority().is_some()),
    };
    if valid {
        Ok(())
    } else {
        Err(ApiError::MissingHost)
    }
}

/// The declared body length; hyper has already refused a malformed or repeated one.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The refusal, closing an HTTP/1.x connection after it (HTTP/2 ends only the stream).
fn closing(refused: ApiError, http1: bool) -> Response {
    let mut response = refused.into_response();
    if http1 {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
