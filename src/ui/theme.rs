//! Colours and text styles. Everything that matters also reads without
//! colour (NO_COLOR, monochrome terminals): markers are text, selection is
//! reverse video, errors say "error:".

use crate::domain::{Kind, Priority, Severity, Status};
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless NO_COLOR is set to something non-empty.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Sev1 => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Severity::Sev2 => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Severity::Sev3 => self.fg(Color::Yellow),
            Severity::Sev4 => self.fg(Color::Blue),
            Severity::Sev5 => self.fg(Color::DarkGray),
        }
    }

    pub fn priority(&self, p: Priority) -> Style {
        match p {
            Priority::P1 => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Priority::P2 => self.fg(Color::LightRed),
            _ => Style::new(),
        }
    }

    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Triage => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            Status::Acknowledged => self.fg(Color::Yellow),
            Status::Investigating => self.fg(Color::Cyan),
            Status::Mitigated => self.fg(Color::Blue),
            Status::Resolved => self.fg(Color::Green),
            Status::Closed | Status::Cancelled => self.fg(Color::DarkGray),
        }
    }

    /// The K column: the letter carries the meaning, colour only helps.
    pub fn kind(&self, k: Kind) -> Style {
        match k {
            Kind::Security => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Kind::NearMiss => self.fg(Color::Yellow),
            Kind::Incident => Style::new(),
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn bar(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn matched(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn focus_border(&self) -> Style {
        self.fg(Color::Cyan)
    }
}
