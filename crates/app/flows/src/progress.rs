//! The steps of pairing, each with a stable number and name, reported as they start so the
//! window and the CLI show where setup is (EN 303 645 provision 4.12-1: few steps, each
//! visible).

/// A step of [`crate::Flows::pair`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 1: listening for the device whose label was scanned.
    Searching,
    /// 2: heard and connected; what it says it is (checked in step 4).
    Found { name: String, model: String },
    /// 3: proving both sides know the setup code (SPAKE2+).
    Pairing,
    /// 4: verifying the device's certificate chain to the vendor root.
    CheckingGenuine,
    /// 5: sending the Wi-Fi settings and the owner key, sealed.
    SendingCredentials,
    /// 6: waiting for the device to join Wi-Fi.
    JoiningWifi,
    /// 7: paired, remembered, online.
    Done,
}

impl Step {
    /// How many steps pairing has.
    pub const COUNT: u8 = 7;

    /// The step's number, 1 to [`Step::COUNT`].
    #[must_use]
    pub fn number(&self) -> u8 {
        match self {
            Self::Searching => 1,
            Self::Found { .. } => 2,
            Self::Pairing => 3,
            Self::CheckingGenuine => 4,
            Self::SendingCredentials => 5,
            Self::JoiningWifi => 6,
            Self::Done => 7,
        }
    }

    /// A stable machine name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Searching => "searching",
            Self::Found { .. } => "found",
            Self::Pairing => "pairing",
            Self::CheckingGenuine => "checking_genuine",
            Self::SendingCredentials => "sending_credentials",
            Self::JoiningWifi => "joining_wifi",
            Self::Done => "done",
        }
    }

    /// The Fluent message describing the step.
    #[must_use]
    pub fn message_id(&self) -> &'static str {
        match self {
            Self::Searching => hearth_i18n::id!("flow-step-searching"),
            // Before the device has said which model it is, there is nothing to put in brackets.
            Self::Found { model, .. } if model.is_empty() => {
                hearth_i18n::id!("flow-step-found-no-model")
            }
            Self::Found { .. } => hearth_i18n::id!("flow-step-found"),
            Self::Pairing => hearth_i18n::id!("flow-step-pairing"),
            Self::CheckingGenuine => hearth_i18n::id!("flow-step-checking-genuine"),
            Self::SendingCredentials => hearth_i18n::id!("flow-step-sending-credentials"),
            Self::JoiningWifi => hearth_i18n::id!("flow-step-joining-wifi"),
            Self::Done => hearth_i18n::id!("flow-step-done"),
        }
    }

    /// The named arguments of [`Step::message_id`].
    #[must_use]
    pub fn message_args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Found { name, model } => vec![("name", name.clone()), ("model", model.clone())],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_one_to_seven_in_order() {
        let steps = [
            Step::Searching,
            Step::Found {
                name: String::new(),
                model: String::new(),
            },
            Step::Pairing,
            Step::CheckingGenuine,
            Step::SendingCredentials,
            Step::JoiningWifi,
            Step::Done,
        ];
        let numbers: Vec<u8> = steps.iter().map(Step::number).collect();
        assert_eq!(numbers, (1..=Step::COUNT).collect::<Vec<_>>());
        let names: std::collections::BTreeSet<_> = steps.iter().map(Step::name).collect();
        assert_eq!(names.len(), steps.len());
    }

    #[test]
    fn a_device_that_named_no_model_is_found_without_empty_brackets() {
        let en = hearth_i18n::Localizer::new("en").expect("en");
        let say = |step: &Step| {
            let args = step.message_args();
            let args: Vec<_> = args
                .iter()
                .map(|(k, v)| (*k, fluent_bundle::FluentValue::from(v.as_str())))
                .collect();
            en.t_args(step.message_id(), &args)
        };
        let unnamed = Step::Found {
            name: "Hearth Plug 0A82".into(),
            model: String::new(),
        };
        assert_eq!(say(&unnamed), "Found Hearth Plug 0A82.");
        let named = Step::Found {
            name: "Hearth Plug 0A82".into(),
            model: "hearth-plug-1".into(),
        };
        assert_eq!(say(&named), "Found Hearth Plug 0A82 (hearth-plug-1).");
    }
}
