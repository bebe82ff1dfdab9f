//! Who may do what: one pure decision, deny by default, no AWS and no I/O.
//!
//! A room token carries only its room and role; what the role may do is decided here at
//! request time from the room's current recording access, so tightening a room's access
//! applies to tokens already issued.

use serde::Serialize;

use crate::error::ApiError;
use crate::model::Room;
// The vocabulary decisions are made over, kept importable from here.
pub use crate::model::{Principal, RecordingAccess, Role, RoomPolicy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ListRecordings,
    /// Get, play or download a recording.
    ReadRecording,
    CreateShareLink,
    RevokeShareLinks,
    DeleteRecording,
    /// Give a recording a title, or clear it.
    EditRecording,
    /// Start or stop a recording (`canRecord`).
    ControlRecording,
    /// Read the room and its config (without secrets).
    ReadRoom,
    ChangeRoomConfig,
    CreateRoom,
    ListRooms,
    /// Read a recording's activity trail.
    ReadRecordingActivity,
    /// Read a room's whole activity trail.
    ReadRoomActivity,
    /// List a room's recycle bin.
    ListRecycleBin,
    RestoreRecording,
    /// Delete at once a recording not in the recycle bin (who may delete may delete for
    /// good what is in the bin).
    DeleteRecordingAtOnce,
    /// Set or release a recording's legal hold.
    HoldRecording,
    /// Delete or close rooms.
    DeleteRoom,
}

impl Action {
    pub const ALL: [Self; 18] = [
        Self::ListRecordings,
        Self::ReadRecording,
        Self::CreateShareLink,
        Self::RevokeShareLinks,
        Self::DeleteRecording,
        Self::EditRecording,
        Self::ControlRecording,
        Self::ReadRoom,
        Self::ChangeRoomConfig,
        Self::CreateRoom,
        Self::ListRooms,
        Self::ReadRecordingActivity,
        Self::ReadRoomActivity,
        Self::ListRecycleBin,
        Self::RestoreRecording,
        Self::DeleteRecordingAtOnce,
        Self::HoldRecording,
        Self::DeleteRoom,
    ];

    /// The name used in docs/api.md's permission matrix.
    pub fn name(self) -> &'static str {
        match self {
            Self::ListRecordings => "list recordings",
            Self::ReadRecording => "get, play, download a recording",
            Self::CreateShareLink => "create a share link",
            Self::RevokeShareLinks => "revoke share links",
            Self::DeleteRecording => "delete recordings",
            Self::EditRecording => "edit a recording's title",
            Self::ControlRecording => "start, stop a recording",
            Self::ReadRoom => "read the room and its config",
            Self::ChangeRoomConfig => "change a room's config",
            Self::CreateRoom => "create rooms",
            Self::ListRooms => "list rooms",
            Self::ReadRecordingActivity => "read a recording's activity",
            Self::ReadRoomActivity => "read a room's activity",
            Self::ListRecycleBin => "list a room's recycle bin",
            Self::RestoreRecording => "restore recordings",
            Self::DeleteRecordingAtOnce => "delete permanently a recording not in the recycle bin",
            Self::HoldRecording => "set or release a legal hold",
            Self::DeleteRoom => "delete or close rooms",
        }
    }
}

/// What a principal needs for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Never,
    Always,
    /// The room's recording access includes the participant's role.
    AccessIncludesRole,
    /// The room has recording enabled.
    RecordingEnabled,
}

/// The rules, as data: (action, administrator, moderator, speaker). Anything not listed
/// is denied.
const RULES: [(Action, Rule, Rule, Rule); 18] = {
    use Rule::{AccessIncludesRole as Access, Always, Never, RecordingEnabled};
    [
        (Action::ListRecordings, Always, Access, Access),
        (Action::ReadRecording, Always, Access, Access),
        (Action::CreateShareLink, Always, Access, Access),
        (Action::RevokeShareLinks, Always, Access, Never),
        (Action::DeleteRecording, Always, Access, Never),
        // Who may delete a recording may name it.
        (Action::EditRecording, Always, Access, Never),
        (
            Action::ControlRecording,
            RecordingEnabled,
            RecordingEnabled,
            Never,
        ),
        (Action::ReadRoom, Always, Always, Always),
        (Action::ChangeRoomConfig, Always, Never, Never),
        (Action::CreateRoom, Always, Never, Never),
        (Action::ListRooms, Always, Never, Never),
        // Who may delete a recording may see who did what with it.
        (Action::ReadRecordingActivity, Always, Access, Never),
        (Action::ReadRoomActivity, Always, Never, Never),
        // Who may delete a recording may see it in the bin, bring it back, and delete it
        // for good from there.
        (Action::ListRecycleBin, Always, Access, Never),
        (Action::RestoreRecording, Always, Access, Never),
        (Action::DeleteRecordingAtOnce, Always, Never, Never),
        (Action::HoldRecording, Always, Never, Never),
        (Action::DeleteRoom, Always, Never, Never),
    ]
};

/// May `principal` do `action`? `room` is the room acted on, when the action concerns one
/// and it exists. Without it a participant is denied, while an administrator is let through
/// so that the caller can answer 404 for a room that does not exist.
pub fn is_allowed(principal: &Principal, action: Action, room: Option<&RoomPolicy<'_>>) -> bool {
    let Some(&(_, admin, moderator, speaker)) = RULES.iter().find(|(a, ..)| *a == action) else {
        return false;
    };
    let (rule, role) = match principal {
        Principal::Admin => match room {
            None => return true,
            Some(_) => (admin, None),
        },
        Principal::Participant { room_id, role } => {
            // A closed room's links and tokens admit to nothing.
            if room.is_none_or(|r| r.room_id != room_id || !r.open) {
                return false;
            }
            let rule = match role {
                Role::Moderator => moderator,
                Role::Speaker => speaker,
            };
            (rule, Some(*role))
        }
    };
    let Some(room) = room else {
        return false;
    };
    match rule {
        Rule::Never => false,
        Rule::Always => true,
        Rule::AccessIncludesRole => role.is_some_and(|r| access_includes(room.access, r)),
        Rule::RecordingEnabled => room.recording_enabled,
    }
}

/// Whether a room's recording access lets `role` in.
fn access_includes(access: RecordingAccess, role: Role) -> bool {
    match (access, role) {
        (RecordingAccess::Admin, _) => false,
        (RecordingAccess::AdminModerator, Role::Moderator) => true,
        (RecordingAccess::AdminModerator, Role::Speaker) => false,
        (RecordingAccess::AdminModeratorSpeaker, _) => true,
    }
}

/// Decides `action` on `room` (the room as just read, or `None` when it does not exist):
/// 403 unless allowed.
pub fn authorize(
    principal: &Principal,
    action: Action,
    room: Option<&Room>,
) -> Result<(), ApiError> {
    if is_allowed(principal, action, room.map(Room::policy).as_ref()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "Not allowed to {}",
            action.name()
        )))
    }
}

/// What a principal may do with a room's recordings now, as the API reports it
/// (`permissions`): a summary of [`is_allowed`] for the console, which the API still
/// decides on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomPermissions {
    pub can_retrieve_recordings: bool,
    pub can_delete_recordings: bool,
    pub can_record: bool,
}

impl RoomPermissions {
    pub fn of(principal: &Principal, room: &RoomPolicy<'_>) -> Self {
        let may = |action| is_allowed(principal, action, Some(room));
        Self {
            can_retrieve_recordings: may(Action::ReadRecording),
            can_delete_recordings: may(Action::DeleteRecording),
            can_record: may(Action::ControlRecording),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RoomId;

    /// docs/api.md's matrix: the documentation and the code are checked against each
    /// other, cell by cell.
    const DOCS: &str = include_str!("../../docs/api.md");

    struct Column {
        admin: bool,
        role: Option<Role>,
        access: Option<RecordingAccess>,
    }

    fn parse_header(cell: &str) -> Column {
        let cell = cell.replace('`', "");
        if cell == "admin" {
            return Column {
                admin: true,
                role: None,
                access: None,
            };
        }
        let (role, access) = cell.split_once(", ").expect("'role, access' header");
        Column {
            admin: false,
            role: Some(match role {
                "moderator" => Role::Moderator,
                "speaker" => Role::Speaker,
                other => panic!("unknown role column {other}"),
            }),
            access: Some(RecordingAccess::parse(access).expect("known access")),
        }
    }

    /// (action name, column, cell) for every cell of the documented matrix.
    fn documented_matrix() -> Vec<(String, Vec<(Column, String)>)> {
        let table: Vec<Vec<String>> = DOCS
            .split("<!-- permission-matrix -->")
            .nth(1)
            .expect("docs/api.md has the permission matrix between markers")
            .lines()
            .filter(|l| l.starts_with('|'))
            .map(|l| {
                l.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_owned())
                    .collect()
            })
            .collect();
        let headers: Vec<_> = table[0][1..].to_vec();
        table[2..]
            .iter()
            .map(|row| {
                let cells = headers
                    .iter()
                    .zip(&row[1..])
                    .map(|(h, c)| (parse_header(h), c.clone()))
                    .collect();
                (row[0].clone(), cells)
            })
            .collect()
    }

    fn expected(cell: &str, recording_enabled: bool) -> bool {
        match cell {
            "yes" => true,
            "no" => false,
            "if recording enabled" => recording_enabled,
            other => panic!("unknown matrix cell {other:?}"),
        }
    }

    #[test]
    fn every_cell_of_the_documented_matrix_holds() {
        let room_id = RoomId::parse("room-a").expect("valid");
        let other_room = RoomId::parse("room-b").expect("valid");
        let matrix = documented_matrix();
        assert_eq!(matrix.len(), Action::ALL.len(), "one row per action");
        let mut checked = 0;
        for action in Action::ALL {
            let (_, cells) = matrix
                .iter()
                .find(|(name, _)| name == action.name())
                .unwrap_or_else(|| panic!("docs/api.md has no row for {}", action.name()));
            for (column, cell) in cells {
                for recording_enabled in [true, false] {
                    let accesses = match column.access {
                        Some(a) => vec![a],
                        None => RecordingAccess::ALL.to_vec(),
                    };
                    for access in accesses {
                        let room = RoomPolicy {
                            room_id: &room_id,
                            access,
                            recording_enabled,
                            open: true,
                        };
                        let principal = match column.role {
                            None => Principal::Admin,
                            Some(role) => Principal::Participant {
                                room_id: room_id.clone(),
                                role,
                            },
                        };
                        assert!(column.admin || column.role.is_some());
                        assert_eq!(
                            is_allowed(&principal, action, Some(&room)),
                            expected(cell, recording_enabled),
                            "{} / {cell} / {access:?} / enabled={recording_enabled}",
                            action.name()
                        );
                        checked += 1;
                        // The same token in another room gets nothing.
                        if let Some(role) = column.role {
                            let stranger = Principal::Participant {
                                room_id: other_room.clone(),
                                role,
                            };
                            assert!(!is_allowed(&stranger, action, Some(&room)));
                        }
                    }
                }
            }
        }
        // Every action × (admin over 3 accesses + 6 role/access columns) × 2.
        assert_eq!(checked, Action::ALL.len() * (3 + 6) * 2);
    }

    #[test]
    fn participants_are_denied_when_the_room_is_unknown() {
        let room_id = RoomId::parse("room-a").expect("valid");
        for role in [Role::Moderator, Role::Speaker] {
            let p = Principal::Participant {
                room_id: room_id.clone(),
                role,
            };
            for action in Action::ALL {
                assert!(!is_allowed(&p, action, None));
            }
        }
        for action in Action::ALL {
            assert!(is_allowed(&Principal::Admin, action, None));
        }
    }

    #[test]
    fn default_access_includes_speakers() {
        assert_eq!(
            RecordingAccess::default(),
            RecordingAccess::AdminModeratorSpeaker
        );
    }
}
