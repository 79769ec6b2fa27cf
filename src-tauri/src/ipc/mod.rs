//! The window's commands, declared once in `list.rs` (see there), and what is generated from
//! that declaration: the handler the app registers ([`handler`]), the manifest `build.rs`
//! gives tauri-build ([`MANIFEST`]), the capability files that allow exactly these commands
//! ([`capability`]) and the typed TypeScript functions the UI calls ([`typescript`]).
//! `tests/generated.rs` fails when a committed artefact is stale (EN 303 645 4.6-1: least
//! privilege, one list to review).
//!
//! Every command is `async`, so none runs on the main thread that draws the window; blocking
//! work inside one goes to a blocking thread (`spawn_blocking`).

mod generate;

use hearth_core::ErrorDto;
use hearth_core::about::AboutInfo;
use hearth_core::settings::{LanguageChoice, LanguageState};
use hearth_flows::companion::{
    CodeCheck, DeviceView, DiagnosticsReport, SetupProgress, SetupRequest, SetupResult, WifiRequest,
};
use hearth_vendor_info::{CollectsView, SecurityContactView, SupportView};
use tauri::ipc::{Channel, CommandArg, CommandItem, InvokeBody, InvokeError};

use crate::state::AppState;

pub use generate::{Platform, capability, typescript};

/// The names `build.rs` gave tauri-build's app manifest, one per line, from the same
/// `list.rs` (its own `commands!` keeps only the names).
pub const MANIFEST: &str = include_str!(concat!(env!("OUT_DIR"), "/commands.txt"));

/// One command as the generators see it.
#[derive(Debug, Clone)]
pub struct Command {
    /// The command's name, `snake_case`.
    pub name: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    pub args: Vec<Arg>,
    /// The TypeScript type of its answer.
    pub answer: String,
}

/// One argument of a [`Command`].
#[derive(Debug, Clone)]
pub struct Arg {
    /// The Rust name (`snake_case`; the UI sends it `camelCase`).
    pub name: &'static str,
    pub kind: ArgKind,
}

/// How the UI passes an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgKind {
    /// A JSON value of this TypeScript type.
    Json(String),
    /// A `Channel` whose messages have this TypeScript type: the UI passes a callback.
    Channel(String),
    /// The raw request body (`Uint8Array`), for large binary input.
    Raw,
}

/// The types a command may take, and how the UI passes each. Implemented for exactly the
/// types in use: a command with a new argument type needs a line here, so the generated
/// TypeScript never guesses.
pub trait IpcArg {
    fn kind(cfg: &ts_rs::Config) -> ArgKind;
}

macro_rules! json_args {
    ($($ty:ty),*) => {
        $(impl IpcArg for $ty {
            fn kind(cfg: &ts_rs::Config) -> ArgKind {
                ArgKind::Json(<$ty as ts_rs::TS>::name(cfg))
            }
        })*
    };
}

json_args!(String, bool, u64, LanguageChoice, SetupRequest, WifiRequest);

impl<T: ts_rs::TS + serde::Serialize> IpcArg for Channel<T> {
    fn kind(cfg: &ts_rs::Config) -> ArgKind {
        ArgKind::Channel(T::name(cfg))
    }
}

/// The raw request body: binary input (a photo) without a JSON number array around it.
#[derive(Debug)]
pub struct RawBody(pub Vec<u8>);

impl<'de, R: tauri::Runtime> CommandArg<'de, R> for RawBody {
    fn from_command(command: CommandItem<'de, R>) -> Result<Self, InvokeError> {
        match command.message.payload() {
            InvokeBody::Raw(bytes) => Ok(Self(bytes.clone())),
            InvokeBody::Json(_) => Err(InvokeError::from(ErrorDto::new(
                hearth_core::ErrorCode::Internal,
            ))),
        }
    }
}

impl IpcArg for RawBody {
    fn kind(_cfg: &ts_rs::Config) -> ArgKind {
        ArgKind::Raw
    }
}

/// Expands the list into the commands, [`handler`] and [`declarations`].
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($state:ident $(, $arg:ident : $ty:ty)* $(,)?) -> $answer:ty $body:block
    )*) => {
        /// The commands, as tauri registers them.
        pub mod commands {
            #[allow(clippy::wildcard_imports)]
            use super::*;
            $(
                $(#[doc = $doc])*
                #[tauri::command]
                pub async fn $name(
                    $state: tauri::State<'_, AppState>,
                    $($arg: $ty),*
                ) -> Result<$answer, ErrorDto> $body
            )*
        }

        /// The invoke handler of every command in the list.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(commands::$name),*]
        }

        /// Every command in the list, in its order, with its TypeScript types.
        #[must_use]
        pub fn declarations(cfg: &ts_rs::Config) -> Vec<Command> {
            vec![$(Command {
                name: stringify!($name),
                doc: concat!($($doc, "\n"),*),
                args: vec![$(Arg {
                    name: stringify!($arg),
                    kind: <$ty as IpcArg>::kind(cfg),
                }),*],
                answer: <$answer as ts_rs::TS>::name(cfg),
            }),*]
        }
    };
}

include!("list.rs");
