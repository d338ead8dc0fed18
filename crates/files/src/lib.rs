//! Reading files a stranger uploaded. [`filetext`] extracts text from PDFs and images under
//! budgets (bytes inflated, operations, objects); [`docreader`] runs it in a child process with
//! memory, CPU and wall-time limits, so a hostile file costs a bounded amount and cannot take
//! the server down. Nothing here touches the database: the commands in `fml-app` decide what a
//! reading means.

pub mod docreader;
pub mod filetext;
