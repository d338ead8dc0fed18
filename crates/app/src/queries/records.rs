//! The rows the reads answer with (the two engines' `RunRow`s as the engine's name and `Run`).

pub use fml_store::analysts::AnalystRecord;
pub use fml_store::approvals::PendingRow;
pub use fml_store::cases::{CaseFilter, CaseOrder, CaseRecord};
pub use fml_store::clients::ClientRow;
pub use fml_store::deliveries::{AttemptRow, DeliveryRow, ListFilter};
pub use fml_store::documents::DocumentRecord;
pub use fml_store::edd::EddRow;
pub use fml_store::endpoints::Endpoint;
pub use fml_store::escalations::EscalationRow;
pub use fml_store::idv::IdvCheck;
pub use fml_store::jobs::JobRecord;
pub use fml_store::mail::MailRow;
pub use fml_store::monitoring::{AlertRow, RunRow as MonitoringRun};
pub use fml_store::persons::{CasePerson, PersonRow};
pub use fml_store::reviews::ReviewRow;
pub use fml_store::risk::{AssessmentRow, ConfigKind, ConfigRow, RoutingRow};
pub use fml_store::screening::{HitRow, RunRow as ScreeningRun};
