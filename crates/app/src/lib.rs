//! The commands of the platform: each change to a case is one function here that takes the
//! acting principal and its input, opens one [`UnitOfWork`], applies a pure rule from
//! `fml-domain` (the lifecycle, role checks), writes the change and an audit row, emits its
//! events, and commits — after which the unit wakes the delivery engine and the mailer.
//!
//! HTTP handlers, the portal, the CLI and the engines call these; none of them opens a
//! transaction or wakes a worker itself.

pub mod analysts;
pub mod applications;
pub mod approvals;
pub mod cases;
pub mod clients;
pub mod crm;
pub mod documents;
pub mod edd;
pub mod engines;
pub mod error;
pub mod idempotency;
pub mod idv;
pub mod jobs;
pub mod keyring;
pub mod mail;
pub mod monitoring;
pub mod opener;
pub mod orgs;
pub mod persons;
pub mod portal;
pub mod portal_links;
pub mod principal;
pub mod processing;
pub mod queries;
pub mod review;
pub mod risk;
pub mod screening;
pub mod settings;
pub mod watchlist;

use std::sync::Arc;

/// The untrusted-file readers, where the commands and the host find them.
pub use fml_files::{docreader, filetext};
use fml_store::unit::UnitOfWork;
pub use fml_store::unit::Wakers;

pub use error::CommandError;
/// The database handle and how to open it: the host and the CLI open the store through the
/// commands layer and never call it themselves.
pub use fml_store::{ConnectOptions, Db, StoreError};
pub use principal::{Analyst, Customer, Operator};

/// What every command needs: the database, the workers to wake after commit, and (for the
/// commands that send mail) how to compose it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub db: Db,
    pub wakers: Wakers,
    pub mail: Option<Arc<mail::MailConfig>>,
    /// The process's screening index.
    pub screener: Arc<screening::Screener>,
    /// Who triages screening hits: the rules, or a model adapter.
    pub triager: Arc<dyn screening::HitTriager>,
    /// A remote matching service used instead of the local list, when configured.
    pub remote: Option<Arc<dyn screening::RemoteMatcher>>,
    /// Where documents' bytes are (for processing).
    pub blobs: Option<fml_store::blobs::BlobStore>,
    /// Who verifies identities.
    pub idv: Option<Arc<dyn idv::IdvProvider>>,
    /// A model that reviews cases (the rules when none).
    pub reviewer: Option<Arc<dyn review::CaseReviewer>>,
    /// Reads documents' text in child processes (by default this executable).
    pub reader: docreader::DocReader,
    /// The live steps of review jobs in this process (one hub for every clone).
    pub review_progress: Arc<jobs::progress::ProgressHub<review::Progress>>,
}

impl Ctx {
    pub fn new(db: Db, wakers: Wakers) -> Self {
        Self {
            db,
            wakers,
            mail: None,
            screener: Arc::default(),
            triager: Arc::new(screening::Rules),
            remote: None,
            blobs: None,
            idv: None,
            reviewer: None,
            reader: docreader::DocReader::default(),
            review_progress: Arc::default(),
        }
    }

    pub fn with_document_reader(mut self, reader: docreader::DocReader) -> Self {
        self.reader = reader;
        self
    }

    pub fn with_remote_matcher(mut self, remote: Arc<dyn screening::RemoteMatcher>) -> Self {
        self.remote = Some(remote);
        self
    }

    pub fn with_triager(mut self, triager: Arc<dyn screening::HitTriager>) -> Self {
        self.triager = triager;
        self
    }

    pub fn with_reviewer(mut self, reviewer: Arc<dyn review::CaseReviewer>) -> Self {
        self.reviewer = Some(reviewer);
        self
    }

    pub fn with_blobs(mut self, blobs: fml_store::blobs::BlobStore) -> Self {
        self.blobs = Some(blobs);
        self
    }

    pub fn with_idv(mut self, provider: Arc<dyn idv::IdvProvider>) -> Self {
        self.idv = Some(provider);
        self
    }

    pub fn with_mail(mut self, mail: mail::MailConfig) -> Self {
        self.mail = Some(Arc::new(mail));
        self
    }

    pub(crate) fn mail(&self) -> Result<&mail::MailConfig, CommandError> {
        self.mail.as_deref().ok_or_else(|| {
            CommandError::Store(fml_store::StoreError::Config("this context cannot compose mail".into()))
        })
    }

    /// Begins the one transaction of a command.
    pub async fn unit(&self) -> Result<UnitOfWork, StoreError> {
        UnitOfWork::begin(&self.db, &self.wakers).await
    }

    /// A unit of work for the runtime's bookkeeping (slots, leases, defaults written on first
    /// read, stored answers), which commits without an audit row.
    pub async fn bookkeeping(&self) -> Result<UnitOfWork, StoreError> {
        UnitOfWork::bookkeeping(&self.db, &self.wakers).await
    }
}
