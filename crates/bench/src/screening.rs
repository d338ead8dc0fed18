//! The screening benchmark (`bench/screening.sh`): a synthetic OpenSanctions-sized list, and
//! screening subjects against it once imported.
//!
//! - `gen`: N FtM entity lines, deterministic, shaped like the consolidated list: about two
//!   thirds people (first name, often a patronymic or middle name, surname; a birth date; a
//!   country; an alias in a third of them) and a third organisations (two or three words and
//!   a legal form), each with topics (sanction, role.pep, debarment…) and a dataset, plus the
//!   sample files' entities verbatim. Surnames are built from syllables so the list has
//!   hundreds of thousands of distinct tokens, as a real one does.
//! - `screen`: builds the index from the database (timed), then screens N subjects one after
//!   another — a third mistyped names of listed people, a third reordered names of listed
//!   organisations, a third names that are on no list — and prints latency percentiles.

use std::io::Write;
use std::time::Instant;

use fml_domain::screening::matching::{Subject, SubjectKind};
use fml_store::{ConnectOptions, Db};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const FIRST: &[&str] = &[
    "Maria",
    "Ivan",
    "Olga",
    "Sergei",
    "Anna",
    "Dmitry",
    "Elena",
    "Alexander",
    "Natalia",
    "Viktor",
    "Tatiana",
    "Nikolai",
    "Svetlana",
    "Mohammed",
    "Ahmed",
    "Ali",
    "Fatima",
    "Hassan",
    "Hussein",
    "Omar",
    "Aisha",
    "Yusuf",
    "Ibrahim",
    "Mustafa",
    "Zainab",
    "Li",
    "Wei",
    "Jing",
    "Min",
    "Hui",
    "Jun",
    "Yan",
    "Kim",
    "Park",
    "Jose",
    "Juan",
    "Carlos",
    "Luis",
    "Ana",
    "Carmen",
    "Pedro",
    "Miguel",
    "Sofia",
    "John",
    "James",
    "Robert",
    "Michael",
    "William",
    "David",
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Pierre",
    "Jean",
    "Marie",
    "Francois",
    "Hans",
    "Klaus",
    "Petra",
    "Giovanni",
    "Giuseppe",
    "Marco",
    "Andrei",
    "Mihai",
    "Vasile",
    "Oleksandr",
    "Yuriy",
    "Andriy",
    "Kostiantyn",
    "Abdul",
    "Rahman",
    "Karim",
    "Reza",
    "Mehdi",
    "Hamid",
    "Nasser",
    "Saeed",
    "Khalid",
    "Tariq",
];
const SYLLABLES: &[&str] = &[
    "ka", "ro", "vi", "na", "sha", "ten", "mar", "lo", "dze", "pol", "ski", "ova", "enko", "rin", "gu", "bel", "tor",
    "zan", "mi", "dor", "hal", "qu", "ser", "ev", "lin", "ba", "ko", "vic", "ra", "man", "sto", "ya", "bo", "gar",
    "ne", "lis", "tu", "chen", "wa", "har", "don", "fi", "mo", "ri", "sa", "vel", "ku", "zh", "ab", "del", "osh", "an",
    "ir", "ul", "em", "et", "os", "un", "ay", "ik",
];
const SUFFIX: &[&str] = &["", "", "", "ov", "ova", "ev", "in", "ski", "enko", "uk", "ian", "i", "son", "ez", "is"];
const WORDS: &[&str] = &[
    "Global",
    "Trade",
    "Energy",
    "Invest",
    "Capital",
    "Logistics",
    "Shipping",
    "Mining",
    "Resources",
    "Technology",
    "Systems",
    "Industrial",
    "Petroleum",
    "Gas",
    "Metals",
    "Finance",
    "Development",
    "Construction",
    "Aero",
    "Marine",
    "Agro",
    "Pharma",
    "Consulting",
    "Security",
    "Defense",
    "Electronics",
    "Nova",
    "Alpha",
    "Orient",
    "Eastern",
    "Northern",
    "United",
    "Atlas",
    "Baltic",
    "Caspian",
    "Pacific",
    "Star",
    "Crown",
    "Golden",
    "Silver",
];
const FORMS: &[&str] = &["LLC", "Ltd", "JSC", "OOO", "GmbH", "SA", "Limited", "Inc", "PJSC", "FZE", "Co"];
const COUNTRIES: &[&str] = &["ru", "by", "ir", "kp", "sy", "ve", "cn", "ae", "tr", "ua", "gb", "us", "de", "cy", "lb"];
const TOPICS: &[&[&str]] = &[
    &["sanction"],
    &["sanction"],
    &["sanction", "poi"],
    &["role.pep"],
    &["role.pep"],
    &["role.rca"],
    &["debarment"],
    &["crime.fin"],
    &["sanction.linked"],
];
const DATASETS: &[&str] =
    &["us_ofac_sdn", "eu_fsf", "gb_hmt_sanctions", "un_sc_sanctions", "everypolitician", "ru_rupep"];

fn surname(r: &mut Rng) -> String {
    let n = 2 + r.below(2);
    let mut s: String = (0..n).map(|_| r.pick(SYLLABLES)).collect();
    s.push_str(r.pick(SUFFIX));
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn person(r: &mut Rng, i: usize) -> serde_json::Value {
    let first = r.pick(FIRST);
    let last = surname(r);
    let middle = (r.below(2) == 0).then(|| format!("{}ovich", r.pick(FIRST)));
    let name = match &middle {
        Some(m) => format!("{first} {m} {last}"),
        None => format!("{first} {last}"),
    };
    let mut names = vec![name.clone()];
    if r.below(3) == 0 {
        names.push(format!("{} {first}", last.to_uppercase()));
    }
    let dob = format!("{}-{:02}-{:02}", 1940 + r.below(60), 1 + r.below(12), 1 + r.below(28));
    serde_json::json!({
        "id": format!("NK-synth-p{i}"),
        "schema": "Person",
        "caption": name,
        "properties": {"name": names, "birthDate": [dob], "country": [r.pick(COUNTRIES)], "topics": TOPICS[r.below(TOPICS.len())]},
        "datasets": [r.pick(DATASETS)],
    })
}

fn company(r: &mut Rng, i: usize) -> serde_json::Value {
    let words = 2 + r.below(2);
    let mut parts: Vec<String> = (0..words).map(|_| r.pick(WORDS).to_owned()).collect();
    if r.below(2) == 0 {
        parts[0] = surname(r);
    }
    let name = format!("{} {}", parts.join(" "), r.pick(FORMS));
    serde_json::json!({
        "id": format!("NK-synth-c{i}"),
        "schema": if r.below(2) == 0 { "Company" } else { "Organization" },
        "caption": name,
        "properties": {"name": [name], "country": [r.pick(COUNTRIES)], "topics": TOPICS[r.below(TOPICS.len())]},
        "datasets": [r.pick(DATASETS)],
    })
}

/// Writes `n` entity lines (and the samples' lines) to stdout.
pub fn generate(n: usize, samples: &[String]) {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out.lock());
    for path in samples {
        for line in std::fs::read_to_string(path).expect("a sample file").lines() {
            let _ = writeln!(out, "{line}");
        }
    }
    for i in 0..n {
        let e = if r.below(3) == 0 { company(&mut r, i) } else { person(&mut r, i) };
        let _ = writeln!(out, "{e}");
    }
}

/// A typo: one letter dropped from the longest word.
fn mistype(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let (longest, _) = words.iter().enumerate().max_by_key(|(_, w)| w.len()).unwrap_or((0, &""));
    words
        .iter()
        .enumerate()
        .map(|(i, w)| if i == longest && w.len() > 4 { format!("{}{}", &w[..2], &w[3..]) } else { (*w).to_owned() })
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn screen(url: &str, n: usize) {
    let db = Db::connect(url, &ConnectOptions::default()).await.expect("connect");
    let version = {
        let mut r = db.reader().await.expect("reader");
        fml_store::watchlist::version(r.conn()).await.expect("version")
    };
    let started = Instant::now();
    let loaded = fml_app::screening::build(&db, version).await.expect("build");
    let took = started.elapsed();
    println!(
        "index: {} entities, {} distinct tokens, {:.1} MiB, built in {:.2} s",
        loaded.index.entities(),
        loaded.index.terms(),
        loaded.index.heap_bytes() as f64 / (1024.0 * 1024.0),
        took.as_secs_f64()
    );
    // The subjects: listed names, mistyped or reordered, and names on no list.
    let mut r = Rng(42);
    let mut subjects = Vec::with_capacity(n);
    for i in 0..n {
        let subject = match i % 3 {
            0 => {
                let p = person(&mut r, i);
                let name = p["caption"].as_str().unwrap_or_default();
                Subject { kind: SubjectKind::Person, name: mistype(name), birth_date: None, country: None }
            }
            1 => {
                let c = company(&mut r, 0);
                let name = c["caption"].as_str().unwrap_or_default();
                let mut words: Vec<&str> = name.split(' ').collect();
                words.rotate_left(1);
                Subject { kind: SubjectKind::Company, name: words.join(" "), birth_date: None, country: None }
            }
            _ => Subject {
                kind: SubjectKind::Person,
                name: format!("Zebulon {} Quartermaine", surname(&mut r)),
                birth_date: Some("1980-01-01".into()),
                country: Some("gb".into()),
            },
        };
        subjects.push(subject);
    }
    let mut times = Vec::with_capacity(n);
    let mut hits = 0usize;
    let all = Instant::now();
    for s in &subjects {
        let t = Instant::now();
        let found = fml_app::screening::matches(&db, &loaded.index, s, 0.85).await.expect("screen");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += usize::from(!found.is_empty());
    }
    let total = all.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "screened {n} subjects in {total:.2} s ({:.0}/s): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {hits} with hits",
        n as f64 / total,
        q(0.5),
        q(0.9),
        q(0.99),
        times.last().copied().unwrap_or(0.0)
    );
}
