//! Starting an export of several recordings as one ZIP, and following it. The ZIP is built
//! by the export job (the `build-export` function) into S3, never through a response, and
//! handed out like every video: a presigned URL, minted fresh on each read.

use std::collections::HashSet;

use lambda_http::Request;
use lambda_http::http::Method;

use crate::access::decision_reads_room;
use crate::app::App;
use crate::crypto;
use crate::deletion::parse_bulk_ids;
use crate::error::{ApiError, Category, FieldError};
use crate::http::{Fields, list_param};
use crate::media::{Disposition, PresignedUrl};
use crate::model::{
    Export, ExportEntry, ExportStatus, Principal, RecordingId, RecordingStatus, SkipReason,
    Skipped, export_owner,
};
use crate::permissions::{Action, authorize};
use crate::zip::archive_size;

/// How long an export and its ZIP are kept: the template's S3 lifecycle rule on
/// [`EXPORTS_PREFIX`] removes the ZIPs after a day too.
pub const EXPORT_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// Where the ZIPs are written in the recordings bucket.
pub const EXPORTS_PREFIX: &str = "exports/";
/// An export not started or not moved on for this long has no run left to finish it: a
/// run writes its progress every second and lasts 15 minutes at most, and SQS delivers
/// the message of a run that died again after 16 minutes (the queue's visibility timeout).
const STALLED_AFTER_MS: i64 = 30 * 60 * 1000;
/// Names in the ZIP are cut to this many bytes (the recordings' own are far shorter).
const MAX_NAME_BYTES: usize = 200;

/// The ZIP's key in the bucket.
pub fn export_key(export_id: &str) -> String {
    format!("{EXPORTS_PREFIX}{export_id}.zip")
}

/// The ids asked for: `{"recordingIds": [...]}` in a POST's body, or `recordingIds=a,b,c`
/// in a GET's query (OpenVidu Meet's form). The bulk delete's rules: distinct, well
/// formed, 1 to 150.
pub fn requested_ids(req: &Request) -> Result<Vec<RecordingId>, ApiError> {
    if req.method() == Method::GET {
        return parse_bulk_ids(&list_param(req, "recordingIds"));
    }
    let mut fields = Fields::from_body(req)?;
    let ids = fields.strings("recordingIds");
    fields.require("recordingIds", ids.is_some());
    fields.finish()?;
    parse_bulk_ids(&ids.unwrap_or_default())
}

/// Authorizes each id on its own, keeps what `principal` may download, stores the export
/// and starts its job. Nothing left: 400 naming each id and why.
pub async fn start_export(
    app: &App,
    principal: &Principal,
    ids: &[RecordingId],
    now_ms: i64,
) -> Result<Export, ApiError> {
    let rooms: Vec<_> = ids
        .iter()
        .map(RecordingId::room_id)
        .filter(|room| decision_reads_room(principal, room))
        .collect();
    let loaded = app.store.load_with_rooms(ids, &rooms).await?;
    let mut included = Vec::new();
    let mut skipped = Vec::new();
    for id in ids {
        let allowed = authorize(
            principal,
            Action::ReadRecording,
            loaded.rooms.get(id.room_id()),
        );
        let recording = loaded.recordings.get(id).filter(|r| !r.is_gone());
        let downloadable = match recording {
            _ if allowed.is_err() => Err(SkipReason::Forbidden),
            None => Err(SkipReason::NotFound),
            Some(r) if r.recording.status != RecordingStatus::Complete => {
                Err(SkipReason::NotFinished)
            }
            Some(r) => Ok(&r.recording),
        };
        match downloadable {
            Ok(recording) => included.push(recording),
            Err(reason) => skipped.push(Skipped::new(id.clone(), reason)),
        }
    }
    if included.is_empty() {
        let details = skipped
            .iter()
            .map(|s| {
                FieldError::new(
                    "recordingIds",
                    format!("'{}': {}", s.recording_id, s.message),
                )
            })
            .collect();
        return Err(ApiError::NothingToDo {
            message: "None of the recordings can be downloaded".to_owned(),
            details,
        });
    }
    let names = unique_names(included.iter().map(|r| r.filename.as_str()));
    let recordings: Vec<ExportEntry> = included
        .iter()
        .zip(names)
        .map(|(r, filename)| ExportEntry {
            recording_id: r.recording_id.clone(),
            filename,
            size: r.size.unwrap_or(0),
        })
        .collect();
    let total_bytes = archive_size(recordings.iter().map(|e| (e.filename.as_str(), e.size)));
    if total_bytes > app.config.export_max_bytes {
        return Err(ApiError::NothingToDo {
            message: format!(
                "The recordings total {}; one export holds at most {}: export fewer at once",
                human_bytes(total_bytes),
                human_bytes(app.config.export_max_bytes)
            ),
            details: vec![FieldError::new("recordingIds", "too large for one export")],
        });
    }
    let export = Export {
        export_id: crypto::random_alphanumeric(20),
        status: ExportStatus::Pending,
        recordings,
        skipped,
        total_bytes,
        bytes_written: 0,
        filename: format!("recordings-{}.zip", date_of(now_ms)),
        created_at: now_ms,
        updated_at: now_ms,
        available_until: now_ms + EXPORT_LIFETIME_MS,
        error: None,
    };
    app.store
        .put_export(&export, &export_owner(principal))
        .await?;
    app.jobs().start_export(&export.export_id).await?;
    Ok(export)
}

/// The export, for whoever started it or an administrator; 404 for anyone else, as for
/// an export that does not exist. When complete, with a fresh URL of its ZIP; when its
/// job stalled (its runs all died), failed.
pub async fn followed_export(
    app: &App,
    principal: &Principal,
    export_id: &str,
    now_ms: i64,
) -> Result<(Export, Option<PresignedUrl>), ApiError> {
    let not_found = || ApiError::NotFound {
        category: Category::Recording,
        message: format!("Export '{export_id}' not found"),
    };
    let well_formed = !export_id.is_empty()
        && export_id.len() <= 64
        && export_id.bytes().all(|b| b.is_ascii_alphanumeric());
    if !well_formed {
        return Err(not_found());
    }
    let stored = app
        .store
        .get_export(export_id)
        .await?
        .ok_or_else(not_found)?;
    let visible = matches!(principal, Principal::Admin) || stored.owner == export_owner(principal);
    if !visible {
        return Err(not_found());
    }
    let mut export = stored.export;
    let unfinished = matches!(export.status, ExportStatus::Pending | ExportStatus::Running);
    if unfinished && now_ms - export.updated_at > STALLED_AFTER_MS {
        export.status = ExportStatus::Failed;
        export.error = Some("The export stopped before it finished; start it again".to_owned());
    }
    let url = match export.status {
        ExportStatus::Complete => Some(
            app.media()
                .presign_get(
                    &export_key(export_id),
                    "application/zip",
                    Disposition::Attachment,
                    &export.filename,
                )
                .await?,
        ),
        _ => None,
    };
    Ok((export, url))
}

/// The recordings' filenames, each unique in the ZIP: a repeated one gets ` (2)`, ` (3)`…
/// before its extension; path separators and leading dots are replaced, so that nothing
/// unpacks outside the folder it is unpacked into.
pub fn unique_names<'a>(filenames: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    filenames
        .into_iter()
        .map(|name| {
            let safe: String = name
                .chars()
                .map(|c| {
                    if matches!(c, '/' | '\\') || c.is_control() {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            let safe = safe.trim_start_matches('.');
            let mut safe = if safe.is_empty() {
                "recording.mp4".to_owned()
            } else {
                safe.to_owned()
            };
            while safe.len() > MAX_NAME_BYTES {
                safe.pop();
            }
            let (stem, extension) = match safe.rfind('.') {
                Some(dot) if dot > 0 => safe.split_at(dot),
                _ => (safe.as_str(), ""),
            };
            let mut candidate = safe.clone();
            let mut n = 2;
            while taken.contains(&candidate.to_lowercase()) {
                candidate = format!("{stem} ({n}){extension}");
                n += 1;
            }
            taken.insert(candidate.to_lowercase());
            candidate
        })
        .collect()
}

fn date_of(epoch_ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(epoch_ms / 1000)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_else(|| "export".to_owned())
}

fn human_bytes(bytes: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    const MIB: f64 = (1u64 << 20) as f64;
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{:.1} MiB", b / MIB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_unique_and_safe() {
        let names = unique_names([
            "a.mp4",
            "A.mp4",
            "a.mp4",
            "../x/y.mp4",
            ".hidden",
            "noext",
            "noext",
        ]);
        assert_eq!(
            names,
            [
                "a.mp4",
                "A (2).mp4",
                "a (3).mp4",
                "_x_y.mp4",
                "hidden",
                "noext",
                "noext (2)"
            ]
        );
    }

    #[test]
    fn the_zip_is_named_by_its_date() {
        assert_eq!(date_of(1_764_000_000_000), "2025-11-24");
    }
}
