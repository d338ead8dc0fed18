//! The reads the surfaces show. Each takes the tenant (its id, or the analyst acting in it)
//! and reads only its rows; what one page or response shows is read in one snapshot, so its
//! parts agree. Rows are the store's, named in [`records`]. A missing thing (another
//! tenant's too) is `CommandError::NotFound`, which the surfaces answer with a 404.

mod case_page;
pub mod cases;
pub mod deliveries;
pub mod records;
mod tenant;

pub use case_page::{CasePage, case_page};
pub use tenant::{analysts, clients, endpoint, endpoints, jobs, outbox, watch_lists};
