//! Five steps of every optimizer configuration against `torch.optim` (foreach=False) from the same start with
//! fixed gradients (`tests/fixtures/optim.json`); state save/restore; zero_grad.

mod common;

use autograd::Var;
use common::*;
use nn::optim::OptimizerError;
use nn::{Adam, AdamConfig, AdamW, AdamWConfig, Optimizer, OptimizerState, SgdConfig, SGD};
use serde_json::Value;
use tensor::{Device, Tensor};

fn tensor(values: &Value, shape: &Value) -> Tensor {
    f32_tensor(values, shape)
}

/// Builds the optimizer of a fixture case over `params`.
fn build(case: &Value, params: Vec<Var>) -> Box<dyn Optimizer> {
    let o = &case["options"];
    let f = |k: &str, d: f64| o.get(k).map_or(d, |v| v.as_f64().unwrap());
    let b = |k: &str| o.get(k).is_some_and(|v| v.as_bool().unwrap());
    let betas = |d: (f64, f64)| o.get("betas").map_or(d, |v| (v[0].as_f64().unwrap(), v[1].as_f64().unwrap()));
    match case["optimizer"].as_str().unwrap() {
        "SGD" => Box::new(SGD::new(
            params,
            SgdConfig {
                momentum: f("momentum", 0.0),
                dampening: f("dampening", 0.0),
                nesterov: b("nesterov"),
                weight_decay: f("weight_decay", 0.0),
                maximize: b("maximize"),
                ..SgdConfig::new(f("lr", f64::NAN))
            },
        )),
        "Adam" => {
            let d = AdamConfig::default();
            Box::new(Adam::new(
                params,
                AdamConfig {
                    lr: f("lr", d.lr),
                    betas: betas(d.betas),
                    eps: f("eps", d.eps),
                    weight_decay: f("weight_decay", d.weight_decay),
                    amsgrad: b("amsgrad"),
                    maximize: b("maximize"),
                },
            ))
        }
        "AdamW" => {
            let d = AdamWConfig::default();
            Box::new(AdamW::new(
                params,
                AdamWConfig {
                    lr: f("lr", d.lr),
                    betas: betas(d.betas),
                    eps: f("eps", d.eps),
                    weight_decay: f("weight_decay", d.weight_decay),
                    amsgrad: b("amsgrad"),
                    maximize: b("maximize"),
                },
            ))
        }
        other => panic!("unknown optimizer {other}"),
    }
}

fn start_params(fx: &Value) -> Vec<Var> {
    (0..3).map(|i| Var::leaf(tensor(&fx["start"][i], &fx["shapes"][i]))).collect()
}

/// Gives the two first parameters the gradients of step `k` and steps.
fn step(fx: &Value, opt: &mut dyn Optimizer, params: &[Var], k: usize) {
    opt.zero_grad();
    for i in 0..2 {
        params[i].set_grad(Some(tensor(&fx["grads"][k][i], &fx["shapes"][i])));
    }
    opt.step();
}

fn check_step(what: &str, fx: &Value, case: &Value, params: &[Var], k: usize) {
    for (i, p) in params.iter().enumerate() {
        let want = f64s(&case["trajectory"][k][i]);
        assert_close(&format!("{what} step {} param {i}", k + 1), &p.tensor().to_f64_vec(), &want, 1e-6, 1e-7);
    }
    let _ = fx;
}

#[test]
fn five_steps_of_every_configuration_match_pytorch() {
    let fx = fixture("optim.json");
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 18);
    for case in cases {
        let what = format!("{} {}", case["optimizer"], case["options"]);
        let params = start_params(&fx);
        let mut opt = build(case, params.clone());
        for k in 0..5 {
            step(&fx, opt.as_mut(), &params, k);
            check_step(&what, &fx, case, &params, k);
        }
        // The parameter without a gradient never moved.
        assert_eq!(params[2].tensor().to_f64_vec(), f64s(&fx["start"][2]), "{what}");
    }
}

#[test]
fn state_dict_round_trip_resumes_exactly() {
    let fx = fixture("optim.json");
    let dir = std::env::temp_dir().join(format!("nn-optim-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for case in fx["cases"].as_array().unwrap() {
        let what = format!("{} {}", case["optimizer"], case["options"]);
        // Two steps, save (through a file), rebuild everything, load, three more steps.
        let params = start_params(&fx);
        let mut opt = build(case, params.clone());
        step(&fx, opt.as_mut(), &params, 0);
        step(&fx, opt.as_mut(), &params, 1);
        let path = dir.join("state.json");
        opt.state_dict().save(&path).unwrap();
        let values: Vec<Tensor> = params.iter().map(|p| p.tensor()).collect();

        let resumed: Vec<Var> = values.into_iter().map(Var::leaf).collect();
        let mut fresh_case = case.clone();
        fresh_case["options"]["lr"] = Value::from(123.0); // overwritten by the loaded state
        let mut opt2 = build(&fresh_case, resumed.clone());
        opt2.load_state_dict(OptimizerState::load(&path).unwrap()).unwrap();
        assert_eq!(opt2.state_dict(), opt.state_dict(), "{what}");
        for k in 2..5 {
            step(&fx, opt2.as_mut(), &resumed, k);
        }
        check_step(&what, &fx, case, &resumed, 4);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn loading_a_mismatched_state_fails_and_changes_nothing() {
    let w = Var::leaf(Tensor::new(&[1.0f32, 2.0], &[2]));
    let mut adam = Adam::new(vec![w.clone()], AdamConfig::new(0.1));
    w.set_grad(Some(Tensor::new(&[1.0f32, 1.0], &[2])));
    adam.step();
    let saved = adam.state_dict();

    let mut sgd = SGD::new(vec![w.clone()], SgdConfig::new(0.1));
    let err = sgd.load_state_dict(saved.clone()).unwrap_err();
    assert!(matches!(err, OptimizerError::Mismatch(_)));
    assert!(err.to_string().contains("saved by Adam and cannot be loaded into SGD"), "{err}");

    let other = Var::leaf(Tensor::new(&[1.0f32, 2.0, 3.0], &[3]));
    let mut adam2 = Adam::new(vec![other], AdamConfig::new(0.5));
    let before = adam2.state_dict();
    let err = adam2.load_state_dict(saved).unwrap_err();
    assert!(err.to_string().contains("parameter 0 is [3] but its saved `exp_avg` is [2]"), "{err}");
    assert_eq!(adam2.state_dict(), before);
    assert_eq!(adam2.lr(), 0.5);
    assert!(OptimizerState::from_json("{\"nope\": 1}").is_err());
}

#[test]
fn zero_grad_sets_gradients_to_none() {
    let w = Var::leaf(Tensor::ones(&[2], tensor::DType::F32, &Device::Cpu));
    let mut opt = SGD::new(vec![w.clone()], SgdConfig::new(0.5));
    w.mul(&w).sum().backward();
    assert!(w.grad().is_some());
    opt.step(); // w - 0.5 * 2w = 0
    assert_eq!(w.tensor().to_vec::<f32>(), vec![0.0, 0.0]);
    opt.zero_grad();
    assert!(w.grad().is_none());
}

#[test]
#[should_panic(expected = "SGD: Nesterov momentum requires a momentum and zero dampening")]
fn nesterov_without_momentum_is_rejected() {
    SGD::new(vec![], SgdConfig { nesterov: true, ..SgdConfig::new(0.1) });
}
