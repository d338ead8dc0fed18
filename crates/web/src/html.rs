//! Server-rendered HTML for the customer portal: one page shell (tenant branding, a skip link,
//! a viewport for phones, the portal's stylesheet, no JavaScript and no inline style) and
//! escaping helpers. Every value that reaches a page goes through [`esc`].

use std::fmt::Write;

use fml_app::settings::Branding;

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The portal's stylesheet (served by the portal: pages carry no inline style).
const STYLESHEET: &str = "/portal/assets/portal.css";

/// A whole page: `title` (also the `<h1>`), the tenant's branding, and `body` (already HTML).
pub fn page(branding: Option<&Branding>, title: &str, body: &str) -> String {
    let name = branding.map_or("Business verification", Branding::name);
    let mut out = String::with_capacity(body.len() + 2048);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\">\
         <title>{} · {}</title><link rel=\"stylesheet\" href=\"{STYLESHEET}\"></head><body>\
         <a class=\"skip\" href=\"#main\">Skip to content</a><header>",
        esc(title),
        esc(name)
    );
    if let Some(logo) = branding.and_then(|b| b.settings.logo_url.as_deref()) {
        let _ = write!(out, "<img src=\"{}\" alt=\"{} logo\">", esc(logo), esc(name));
    }
    let _ =
        write!(out, "<strong>{}</strong></header><main id=\"main\"><h1>{}</h1>{body}</main>", esc(name), esc(title));
    match branding.and_then(|b| b.settings.support_email.as_deref()) {
        Some(s) => {
            let _ = write!(out, "<footer>Need help? Write to <a href=\"mailto:{0}\">{0}</a>.</footer>", esc(s));
        }
        None => out.push_str("<footer>Secure business verification by First Mile Labs.</footer>"),
    }
    out.push_str("</body></html>");
    out
}

/// A labelled text input. `error` marks it invalid and describes it.
pub fn input(name: &str, label: &str, value: &str, kind: &str, required: bool, error: Option<&str>) -> String {
    let id = field_id(name);
    let mut attrs = String::new();
    if required {
        attrs.push_str(" required");
    }
    let mut out = format!("<label for=\"{id}\">{}{}</label>", esc(label), if required { "" } else { " (optional)" });
    if let Some(e) = error {
        let _ = write!(out, "<p class=\"field-error\" id=\"{id}-error\">{}</p>", esc(e));
        let _ = write!(attrs, " aria-invalid=\"true\" aria-describedby=\"{id}-error\"");
    }
    let _ = write!(out, "<input id=\"{id}\" name=\"{}\" type=\"{kind}\" value=\"{}\"{attrs}>", esc(name), esc(value));
    out
}

/// A labelled multi-line input.
pub fn textarea(name: &str, label: &str, value: &str, required: bool, error: Option<&str>) -> String {
    let id = field_id(name);
    let mut attrs = String::new();
    if required {
        attrs.push_str(" required");
    }
    let mut out = format!("<label for=\"{id}\">{}</label>", esc(label));
    if let Some(e) = error {
        let _ = write!(out, "<p class=\"field-error\" id=\"{id}-error\">{}</p>", esc(e));
        let _ = write!(attrs, " aria-invalid=\"true\" aria-describedby=\"{id}-error\"");
    }
    let _ = write!(out, "<textarea id=\"{id}\" name=\"{}\" rows=\"3\"{attrs}>{}</textarea>", esc(name), esc(value));
    out
}

/// An `id` for a field name (`directors[0].fullName` → `directors-0-fullName`).
pub fn field_id(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>().replace("--", "-")
}

/// The list of errors at the top of a form, each linking to its field.
pub fn error_summary(errors: &[fml_domain::FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>Please correct the following</h2><ul>",
    );
    for e in errors {
        let _ = write!(out, "<li><a href=\"#{}\">{}: {}</a></li>", field_id(&e.field), esc(&e.field), esc(&e.message));
    }
    out.push_str("</ul></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_break_out() {
        assert_eq!(esc("<script>\"a\"&'b'</script>"), "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;&lt;/script&gt;");
        let html = input("companyName", "Company", "\"><img src=x onerror=alert(1)>", "text", true, Some("<b>"));
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("<label for=\"companyName\">"));
    }
}
