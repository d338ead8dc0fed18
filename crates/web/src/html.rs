//! Server-rendered HTML for the customer portal: one page shell (tenant branding, a skip link,
//! a viewport for phones, no JavaScript) and escaping helpers. Every value that reaches a page
//! goes through [`esc`].

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

const STYLE: &str = "\
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}\
header{background:#fff;border-bottom:1px solid #d8dde3;padding:.75rem 1rem;display:flex;align-items:center;gap:.75rem}\
header img{max-height:40px;max-width:160px}main{max-width:44rem;margin:0 auto;padding:1rem}\
section,form.card{background:#fff;border:1px solid #d8dde3;border-radius:8px;padding:1rem;margin:1rem 0}\
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,textarea,select{width:100%;font:inherit;padding:.5rem;border:1px solid #7a8591;border-radius:4px}\
input:focus,textarea:focus,button:focus,a:focus{outline:3px solid #1d5fd1;outline-offset:2px}\
fieldset{border:1px solid #d8dde3;border-radius:6px;margin:1rem 0;padding:.5rem 1rem 1rem}legend{font-weight:700}\
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#1d5fd1;color:#fff;cursor:pointer;margin-top:1rem}\
button.secondary{background:#fff;color:#1d5fd1;border:1px solid #1d5fd1}\
.error-summary{border:2px solid #b00020;background:#fff5f5;padding:1rem;border-radius:6px}.field-error{color:#b00020;font-weight:600}\
.notice{border-left:4px solid #1d5fd1;background:#eef4ff;padding:.75rem 1rem}.hint{color:#4a5561;font-size:.9rem}\
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}\
footer{max-width:44rem;margin:0 auto;padding:1rem;color:#4a5561;font-size:.9rem}";

/// A whole page: `title` (also the `<h1>`), the tenant's branding, and `body` (already HTML).
pub fn page(branding: Option<&Branding>, title: &str, body: &str) -> String {
    let name = branding.map_or("Business verification", Branding::name);
    let mut out = String::with_capacity(body.len() + 2048);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\">\
         <title>{} · {}</title><style>{STYLE}</style></head><body>\
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
