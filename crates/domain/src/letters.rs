//! The words of every email the platform sends a customer, as pure functions of who sends it
//! (the tenant's brand) and whom and what it is about. `fml_app::mail` mints the links, seals
//! the bodies and queues them.

/// Who an email is from, as the tenant brands it.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    /// The tenant's display name (or its name).
    pub name: &'a str,
    /// Where customers can write for help.
    pub support: Option<&'a str>,
}

/// Whom an email greets and which business it is about.
#[derive(Debug, Clone, Copy, Default)]
pub struct About<'a> {
    pub customer_name: Option<&'a str>,
    pub company: Option<&'a str>,
}

impl About<'_> {
    fn greeting(&self) -> String {
        self.customer_name.map_or_else(|| "Hello,".to_owned(), |n| format!("Hello {n},"))
    }

    fn company(&self) -> &str {
        self.company.unwrap_or("your business")
    }
}

/// The footer every customer email ends with.
fn footer(s: &Sender<'_>) -> String {
    match s.support {
        Some(e) => format!("Questions? Write to {e}.\n\n— {}, via First Mile Labs\n", s.name),
        None => format!("— {}, via First Mile Labs\n", s.name),
    }
}

/// The invitation's subject and plain-text body.
pub fn invite(s: &Sender<'_>, to: &About<'_>, link: &str) -> (String, String) {
    let (org, company) = (s.name, to.company());
    let body = format!(
        "{}\n\n{org} has asked you to complete a business verification (KYB) for {company}.\n\n\
         Open this secure link to start; it works once and expires in 7 days:\n\n{link}\n\n\
         If you were not expecting this email, you can ignore it.\n\n{}",
        to.greeting(),
        footer(s)
    );
    (format!("{org}: complete the business verification for {company}"), body)
}

/// The new link a customer asked for at `/portal`, in words that say it was asked for.
pub fn new_link(s: &Sender<'_>, to: &About<'_>, link: &str) -> (String, String) {
    let (org, company) = (s.name, to.company());
    let body = format!(
        "{}\n\nYou asked for a new link to continue the business verification (KYB) of {company} with \
         {org}.\n\nOpen this secure link to continue; it works once and expires in 7 days. Links sent \
         before it no longer work.\n\n{link}\n\nIf you did not ask for it, you can ignore this email: nothing \
         else has changed.\n\n{}",
        to.greeting(),
        footer(s)
    );
    (format!("{org}: your link to continue the verification of {company}"), body)
}

/// The link a public applicant gets once their email is confirmed and the case is open.
pub fn opened(s: &Sender<'_>, to: &About<'_>, link: &str, portal_url: &str) -> (String, String) {
    let (org, company) = (s.name, to.company());
    let body = format!(
        "{}\n\nYour email is confirmed and your business verification (KYB) of {company} with {org} \
         is open. Your answers are saved as you go.\n\nTo come back to it later, open this secure link; it works \
         once and expires in 7 days:\n\n{link}\n\nAfter that, ask for a new link at {portal_url}/ with this \
         email address.\n\n{}",
        to.greeting(),
        footer(s)
    );
    (format!("{org}: your application for {company} is open"), body)
}

/// The public application's confirmation email: the link that opens the case.
pub fn application(s: &Sender<'_>, to: &About<'_>, link: &str) -> (String, String) {
    let (org, company) = (s.name, to.company());
    let body = format!(
        "{}\n\nYou asked to start a business verification (KYB) for {company} with {org}.\n\n\
         Open this secure link to confirm your email and start; it also brings you back to your application \
         later, and expires in 7 days:\n\n{link}\n\nIf you did not ask for this, ignore this email: nothing \
         was opened in your name.\n\n{}",
        to.greeting(),
        footer(s)
    );
    (format!("{org}: confirm your email to start the verification of {company}"), body)
}

/// A request listing items (the EDD evidence request, the outreach document request).
pub fn request(s: &Sender<'_>, to: &About<'_>, intro: &str, items: &[(String, String)]) -> (String, String) {
    let (org, company) = (s.name, to.company());
    let list: String = items.iter().map(|(_, label)| format!("  - {label}\n")).collect();
    let body = format!(
        "{}\n\n{intro}\n\n{list}\nPlease reply to this email with the documents, or send them to the contact \
         you have at {org}.\n\n{}",
        to.greeting(),
        footer(s)
    );
    (format!("{org}: information needed for {company}"), body)
}

/// The identity verification email: a personal link for one person of the case.
pub fn idv(s: &Sender<'_>, name: &str, company: Option<&str>, link: &str) -> (String, String) {
    let (org, company) = (s.name, company.unwrap_or("your business"));
    let body = format!(
        "Hello {name},\n\nAs part of the business verification of {company}, {org} needs to verify the identity \
         of its directors and beneficial owners.\n\nOpen this personal link to verify yours; it takes a few minutes and \
         a passport or identity card:\n\n{link}\n\nIf you were not expecting this email, you can ignore it.\n\n{}",
        footer(s)
    );
    (format!("{org}: verify your identity for {company}"), body)
}

/// To a tenant's admins: the platform disabled a webhook endpoint that failed every attempt
/// for `hours` hours.
pub fn endpoint_disabled(label: &str, url: &str, hours: u64) -> (String, String) {
    let body = format!(
        "Hello,\n\nThe webhook endpoint \u{201c}{label}\u{201d} ({url}) answered no delivery successfully for \
         {hours} hours, so it has been disabled: nothing is sent to it until it is enabled again.\n\n\
         Once the receiver works again, open Compliance Configuration \u{2192} Outbound Webhooks in the console and \
         press Enable: its queued deliveries go out at once, and Recover re-sends the ones that failed.\n\n\
         Each attempt's answer is under Recent Deliveries.\n"
    );
    (format!("Webhook endpoint disabled: {label}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_names_the_sender_the_company_and_the_way_to_help() {
        let s = Sender { name: "Demo Bank", support: Some("kyb@demo.example") };
        let to = About { customer_name: Some("Jane"), company: Some("Acme Ltd") };
        let letters = [
            invite(&s, &to, "https://p/x"),
            new_link(&s, &to, "https://p/x"),
            opened(&s, &to, "https://p/x", "https://p"),
            application(&s, &to, "https://p/x"),
            request(&s, &to, "We need:", &[("k".into(), "Proof of address".into())]),
        ];
        for (subject, body) in &letters {
            assert!(subject.starts_with("Demo Bank: ") && subject.contains("Acme Ltd"), "{subject}");
            assert!(body.starts_with("Hello Jane,") && body.contains("Write to kyb@demo.example"), "{body}");
        }
        assert!(letters[4].1.contains("  - Proof of address\n"));
        let (_, anon) = invite(&Sender { name: "Demo Bank", support: None }, &About::default(), "l");
        assert!(anon.starts_with("Hello,") && anon.contains("for your business") && !anon.contains("Write to"));
        let (subject, body) = idv(&s, "Bob", None, "l");
        assert_eq!(subject, "Demo Bank: verify your identity for your business");
        assert!(body.starts_with("Hello Bob,"));
    }
}
