//! `Display for Tensor` against PyTorch: every case of `tests/fixtures/display.json` (written by
//! `scripts/make_display_fixtures.py` from real `print(tensor)` output) must print character for character.
//!
//! The fixture is read with the small JSON reader below (the crate has no JSON dependency).

use tensor::{DType, Device, Tensor};

/// The subset of JSON the fixture uses.
#[derive(Debug)]
enum Json {
    Str(String),
    Num(f64),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(fields) => &fields.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no key {key}")).1,
            other => panic!("{other:?} is not an object"),
        }
    }
    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("{other:?} is not a string"),
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(v) => v,
            other => panic!("{other:?} is not an array"),
        }
    }
    fn num(&self) -> f64 {
        match self {
            Json::Num(n) => *n,
            other => panic!("{other:?} is not a number"),
        }
    }
}

/// A recursive-descent reader over the bytes of a JSON document.
struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(self.s[self.i], c, "expected {:?} at byte {}", c as char, self.i);
        self.i += 1;
    }
    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'"' => Json::Str(self.string()),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(items);
                }
                loop {
                    items.push(self.value());
                    self.ws();
                    self.i += 1;
                    if self.s[self.i - 1] == b']' {
                        return Json::Arr(items);
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                loop {
                    self.ws();
                    let k = self.string();
                    self.eat(b':');
                    fields.push((k, self.value()));
                    self.ws();
                    self.i += 1;
                    if self.s[self.i - 1] == b'}' {
                        return Json::Obj(fields);
                    }
                }
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                Json::Num(std::str::from_utf8(&self.s[start..self.i]).unwrap().parse().unwrap())
            }
        }
    }
    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = String::new();
        loop {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => return out,
                b'\\' => {
                    let e = self.s[self.i];
                    self.i += 1;
                    out.push(match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        other => panic!("unsupported escape \\{}", other as char),
                    });
                }
                _ => {
                    // Copy one UTF-8 character.
                    let start = self.i - 1;
                    while self.i < self.s.len() && (self.s[self.i] & 0xC0) == 0x80 {
                        self.i += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap());
                }
            }
        }
    }
}

fn fixture_tensor(case: &Json) -> Tensor {
    let shape: Vec<usize> = case.get("shape").arr().iter().map(|d| d.num() as usize).collect();
    let values = case.get("values").arr().iter().map(|v| v.str());
    match case.get("dtype").str() {
        "float32" => Tensor::from_vec(values.map(|v| v.parse::<f64>().unwrap() as f32).collect(), &shape, &Device::Cpu),
        "float64" => Tensor::from_vec(values.map(|v| v.parse::<f64>().unwrap()).collect(), &shape, &Device::Cpu),
        "int64" => Tensor::from_vec(values.map(|v| v.parse::<i64>().unwrap()).collect(), &shape, &Device::Cpu),
        other => panic!("unknown dtype {other}"),
    }
}

#[test]
fn display_matches_torch() {
    let text = include_str!("fixtures/display.json");
    let cases = Reader { s: text.as_bytes(), i: 0 }.value();
    let cases = cases.arr();
    assert!(cases.len() >= 40, "fixture has only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let got = fixture_tensor(case).to_string();
        let want = case.get("expected").str();
        if got != want {
            failures.push(format!("case {}:\n--- torch\n{want}\n--- ours\n{got}", case.get("name").str()));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn display_of_views_prints_logical_order() {
    // A transposed, narrowed view prints its logical elements, not the storage order.
    let t = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).t().narrow(0usize, 1, 2);
    assert_eq!(t.to_string(), "tensor([[2., 5.],\n        [3., 6.]])");
    let e = Tensor::new(&[0.5f32, 0.25], &[2]).unsqueeze(0usize).expand(&[2, 2]);
    assert_eq!(e.to_string(), "tensor([[0.5000, 0.2500],\n        [0.5000, 0.2500]])");
    let z = Tensor::zeros(&[2, 0, 3], DType::I64, &Device::Cpu);
    assert_eq!(z.to_string(), "tensor([], size=(2, 0, 3), dtype=torch.int64)");
}
