//! The page, one component per file, each named after what the user sees.

mod app;
mod call_log;
mod counts_panel;
mod fault_controls;
mod go_demo_player;
mod greeting_card;
mod hello_form;
mod log_list;
mod open_countdown;
mod query_problems;
mod settings_panel;
mod state_badge;
mod state_diagram;
mod timeline_legend;
mod timeline_mark;
mod timeline_strip;
mod transition_log;

pub(crate) use app::App;
use call_log::CallLog;
use counts_panel::CountsPanel;
use fault_controls::FaultControls;
use go_demo_player::GoDemoPlayer;
use greeting_card::GreetingCard;
use hello_form::HelloForm;
use log_list::LogList;
use open_countdown::OpenCountdown;
use query_problems::QueryProblems;
use settings_panel::SettingsPanel;
use state_badge::StateBadge;
use state_diagram::StateDiagram;
use timeline_legend::Legend;
use timeline_mark::{Mark, OutcomeShape};
use timeline_strip::TimelineStrip;
use transition_log::TransitionLog;
