//! The stack of views. The bottom is always the incident list; every other
//! screen, dialog and message box is pushed on top of it, handles its own
//! keys and answers with an [`Outcome`]. Esc/q pop one level; only the list
//! quits.

use super::Message;
use super::dialog::Dialog;
use super::postmortem::{ActionsView, PmPane};
use super::run::Op;
use crate::keymap::Mode;

/// `?`: its scroll position and the search typed with `/` inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpView {
    pub scroll: usize,
    pub query: String,
    /// `/` was pressed: keys type into the query.
    pub typing: bool,
}

/// A yes/no question before an operation.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub title: String,
    pub text: String,
    pub yes: Op,
}

pub enum View {
    /// The incident list (the root; never popped).
    List,
    /// The details of the selected incident have the keys (full screen on
    /// narrow terminals, the right pane on wide ones).
    Detail,
    Postmortem(Box<PmPane>),
    Actions(ActionsView),
    Metrics(Box<super::metrics::MetricsView>),
    Help(HelpView),
    Search {
        input: String,
    },
    Command {
        input: String,
        /// Where ↑/↓ are in the history (None: the line being typed).
        recall: Option<usize>,
        /// The line being typed before ↑ went into the history: ↓ past
        /// the newest entry brings it back, as a shell does.
        typed: String,
        /// What Tab could not choose between, shown under the line.
        candidates: Vec<String>,
    },
    Dialog(Dialog),
    Confirm(Box<Confirm>),
    /// A message too long for the status line: any key closes it, and that
    /// key does nothing else.
    Message(Message),
}

impl View {
    /// The keymap mode that resolves keys for this view.
    pub fn mode(&self) -> Mode {
        match self {
            View::List | View::Detail => Mode::Normal,
            View::Postmortem(_) => Mode::Postmortem,
            View::Actions(_) => Mode::Actions,
            View::Metrics(_) => Mode::Metrics,
            View::Help(h) if h.typing => Mode::Search,
            View::Help(_) => Mode::Help,
            View::Search { .. } => Mode::Search,
            View::Command { .. } => Mode::Dialog,
            View::Dialog(Dialog::Picker(_)) => Mode::Picker,
            View::Dialog(_) => Mode::Dialog,
            View::Confirm(_) => Mode::Confirm,
            View::Message(_) => Mode::Confirm,
        }
    }

    /// Views that fill the body (the others are drawn over one of these).
    pub fn is_screen(&self) -> bool {
        matches!(
            self,
            View::List | View::Detail | View::Postmortem(_) | View::Actions(_) | View::Metrics(_)
        )
    }
}

/// What a view's key handler answers.
pub enum Outcome {
    Stay,
    Push(View),
    Pop,
    /// Pop this view and push another in its place.
    Replace(View),
    Run(Op),
    Quit,
}
