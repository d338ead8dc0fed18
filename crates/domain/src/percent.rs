//! A 0–100 score as the guide writes it: a whole number (`"compositeScore": 27`,
//! `"confidence": 92`). Engines compute in floating point; the value is rounded once, here,
//! so every surface (events, APIs, console) shows the same integer and a strict integer cast
//! on the receiving side (Apex's `(Integer)`) never fails on a `27.0`.

use serde::Serialize;

/// A whole number from 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Percent(u8);

impl Percent {
    /// `value` rounded to the nearest whole number and held within 0–100 (a NaN is 0).
    pub fn of(value: f64) -> Self {
        if value.is_nan() {
            return Percent(0);
        }
        // In range after the clamp, so the cast neither truncates nor wraps.
        Percent(value.round().clamp(0.0, 100.0) as u8)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl schemars::JsonSchema for Percent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "minimum": 0, "maximum": 100 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_into_range_and_serialise_as_integers() {
        let table =
            [(27.0, 27), (26.5, 27), (91.6, 92), (0.4, 0), (-3.0, 0), (100.2, 100), (250.0, 100), (f64::NAN, 0)];
        for (raw, want) in table {
            assert_eq!(Percent::of(raw).get(), want, "{raw}");
        }
        assert_eq!(serde_json::to_string(&Percent::of(27.0)).unwrap(), "27");
    }
}
