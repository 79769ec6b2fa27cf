//! Anomaly examination over reported security signals (EN 303 645 4.10-1 [5.10-1]: "the
//! manufacturer should examine telemetry for security anomalies").
//!
//! For each model and each manifest field marked with a signal, the reports received within the
//! window are summed per pseudonym; a sum at or above the signal's threshold is an anomaly.
//! Computed from the database on each request, so every instance gives the same answer.

use hearth_vendor_api::catalogue::AnomalySignal;
use hearth_vendor_api::telemetry::{Anomaly, AnomalyList};

use crate::catalogue::Catalogue;
use crate::config::TelemetrySettings;
use crate::db::Database;

/// Examines `[now - window_secs, now]`.
///
/// # Errors
/// Storage errors.
pub async fn examine(
    db: &Database,
    catalogue: &Catalogue,
    settings: &TelemetrySettings,
    now: i64,
    window_secs: i64,
) -> Result<AnomalyList, sqlx::Error> {
    let window_start = now.saturating_sub(window_secs);
    let mut anomalies = Vec::new();
    for model in catalogue.models() {
        for field in &model.telemetry {
            let Some(signal) = field.signal else {
                continue;
            };
            let threshold = threshold(settings, signal);
            for t in db
                .signal_totals(&model.model, &field.name, window_start, now, threshold)
                .await?
            {
                anomalies.push(Anomaly {
                    kind: signal,
                    model: t.model,
                    pseudonym: t.pseudonym,
                    total: t.total,
                    threshold,
                    reports: t.reports,
                    first_seen: t.first_seen,
                    last_seen: t.last_seen,
                });
            }
        }
    }
    Ok(AnomalyList {
        window_start,
        window_end: now,
        anomalies,
    })
}

fn threshold(settings: &TelemetrySettings, signal: AnomalySignal) -> i64 {
    match signal {
        AnomalySignal::FailedPairing => settings.failed_pairing_threshold,
        AnomalySignal::IntegrityFailure => settings.integrity_failure_threshold,
    }
}
