//! The user's settings, kept in `settings.json` in the config folder.
//!
//! Writes are atomic (temporary file, fsync, rename), so a crash never leaves a
//! half-written file. A file that cannot be read is never thrown away: it is
//! moved aside with a `.damaged-<unix time>` suffix and Hearth starts with
//! defaults.

use std::{
    io::Write,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::CoreError;

/// Which language the app speaks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LanguageChoice {
    /// Follow the operating system's language (the default).
    #[default]
    System,
    /// Always use this shipped language.
    Fixed { language: String },
}

/// Everything the user can set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    pub language: LanguageChoice,
}

/// The language the app uses now, and what the user could pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LanguageState {
    /// What the user chose.
    pub choice: LanguageChoice,
    /// The language in effect.
    pub effective: String,
    /// What "follow the system" resolves to on this machine.
    pub system: String,
    /// Every shipped language, source language first.
    pub available: Vec<String>,
}

impl Settings {
    /// The language in effect, given what the operating system asks for.
    pub fn effective_language(&self, system: &'static str) -> &'static str {
        match &self.language {
            LanguageChoice::System => system,
            LanguageChoice::Fixed { language } => hearth_i18n::negotiate(&[language]),
        }
    }

    /// The language state the UI shows.
    pub fn language_state(&self, system: &'static str) -> LanguageState {
        LanguageState {
            choice: self.language.clone(),
            effective: self.effective_language(system).to_owned(),
            system: system.to_owned(),
            available: hearth_i18n::languages()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// What loading found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadOutcome {
    /// The file was read.
    Read,
    /// There was no file yet; defaults are in use.
    Missing,
    /// The file was damaged; it was moved to `backup` and defaults are in use.
    Recovered { backup: PathBuf },
}

/// The settings file and its current contents.
#[derive(Debug)]
pub struct SettingsStore {
    path: PathBuf,
    current: Settings,
}

impl SettingsStore {
    /// Loads `settings.json` from `config_dir`.
    pub fn load(config_dir: &Path) -> (Self, LoadOutcome) {
        let path = config_dir.join("settings.json");
        let (current, outcome) = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                (Settings::default(), LoadOutcome::Missing)
            }
            Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
                Ok(settings) => (settings, LoadOutcome::Read),
                Err(_) => Self::recover(&path),
            },
            Err(_) => Self::recover(&path),
        };
        (Self { path, current }, outcome)
    }

    fn recover(path: &Path) -> (Settings, LoadOutcome) {
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let backup = path.with_extension(format!("json.damaged-{stamp}"));
        // If even the move fails the file stays where it is; the next save
        // replaces it, which is the best that can be done with an unreadable disk.
        let _ = std::fs::rename(path, &backup);
        (Settings::default(), LoadOutcome::Recovered { backup })
    }

    /// The settings in force.
    pub fn current(&self) -> &Settings {
        &self.current
    }

    /// Sets the language. A fixed language must be one that ships.
    pub fn set_language(&mut self, choice: LanguageChoice) -> Result<(), CoreError> {
        if let LanguageChoice::Fixed { language } = &choice
            && !hearth_i18n::languages().contains(&language.as_str())
        {
            return Err(CoreError::UnknownLanguage(language.clone()));
        }
        let mut next = self.current.clone();
        next.language = choice;
        self.write(&next)?;
        self.current = next;
        Ok(())
    }

    fn write(&self, settings: &Settings) -> Result<(), CoreError> {
        let failed = |source| CoreError::SettingsSave {
            path: self.path.display().to_string(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile_in(dir).map_err(failed)?;
        let json = serde_json::to_vec_pretty(settings).map_err(|e| failed(e.into()))?;
        tmp.1.write_all(&json).map_err(failed)?;
        tmp.1.sync_all().map_err(failed)?;
        std::fs::rename(&tmp.0, &self.path).map_err(failed)?;
        // The rename is durable only once the folder entry is on disk.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let path = dir.join(format!(".settings.json.{}.tmp", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)?;
    Ok((path, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_survives_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut store, outcome) = SettingsStore::load(dir.path());
        assert_eq!(outcome, LoadOutcome::Missing);
        assert_eq!(store.current().language, LanguageChoice::System);
        let german = LanguageChoice::Fixed {
            language: "de".into(),
        };
        store.set_language(german.clone()).expect("save");
        let (again, outcome) = SettingsStore::load(dir.path());
        assert_eq!(outcome, LoadOutcome::Read);
        assert_eq!(again.current().language, german);
        assert_eq!(again.current().effective_language("en"), "de");
    }

    #[test]
    fn follows_the_system_by_default() {
        let settings = Settings::default();
        assert_eq!(settings.effective_language("fr"), "fr");
        let state = settings.language_state("fr");
        assert_eq!(state.effective, "fr");
        assert_eq!(state.available.first().map(String::as_str), Some("en"));
    }

    #[test]
    fn an_unshipped_language_is_refused_and_nothing_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut store, _) = SettingsStore::load(dir.path());
        let err = store
            .set_language(LanguageChoice::Fixed {
                language: "xx".into(),
            })
            .expect_err("xx does not ship");
        assert_eq!(err.code(), crate::ErrorCode::UnknownLanguage);
        assert_eq!(store.current().language, LanguageChoice::System);
        assert!(!dir.path().join("settings.json").exists());
    }

    #[test]
    fn a_damaged_file_is_kept_aside_not_lost() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"{ not json").expect("write");
        let (store, outcome) = SettingsStore::load(dir.path());
        let LoadOutcome::Recovered { backup } = outcome else {
            panic!("expected recovery, got {outcome:?}");
        };
        assert_eq!(std::fs::read(&backup).expect("backup kept"), b"{ not json");
        assert_eq!(store.current(), &Settings::default());
    }

    #[test]
    fn an_unwritable_folder_gives_a_typed_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut store, _) = SettingsStore::load(&dir.path().join("missing-folder"));
        let err = store
            .set_language(LanguageChoice::Fixed {
                language: "de".into(),
            })
            .expect_err("folder does not exist");
        assert_eq!(err.code(), crate::ErrorCode::SettingsSave);
        assert_eq!(err.message_id(), "error-settings-save");
        assert_eq!(store.current().language, LanguageChoice::System);
    }
}
