//! The expression-level passes: slice pushdown computes and reads only what is kept,
//! slices of slices merge, constants fold, and nothing is pushed through a node another
//! reader needs whole. Every rewrite is checked against the unoptimized plan.

use chunkwise::{ComputeOptions, LazyArray};
use ndarray::{s, NewAxis};

use crate::common::{assert_close, RTOL};

fn unoptimized() -> ComputeOptions {
    ComputeOptions::default().optimize(false)
}

fn random(seed: u64) -> LazyArray<f64> {
    chunkwise::random::uniform::<f64>(&[1_000, 1_000], [100, 100], seed)
}

#[test]
fn a_slice_of_a_sum_computes_only_the_kept_blocks() {
    let (x, y) = (random(1), random(2));
    let z = (&x + &y).slice(s![..;2, ..100]);
    let plan = z.explain().unwrap();
    assert!(
        plan.contains("pushdown: slice to [500, 100] moved below add"),
        "{plan}"
    );
    // Kept: every other row of the first column of blocks. The slice reaches both
    // generators, which make only the kept elements (no [1000, 1000] source is left),
    // fused with the add: 10 tasks of 50 x 100.
    let fused = "add = fused [random.uniform → random.uniform → add]: [500, 100] chunks ((50,)*10, (100,)); 10 of 10 tasks";
    assert!(plan.contains(fused), "{plan}");
    assert!(!plan.contains("[1000, 1000]"), "{plan}");
    let plain_plan = z.explain_with(&unoptimized()).unwrap();
    assert!(plain_plan.contains("add: [1000, 1000]"), "{plain_plan}");
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
}

#[test]
fn slices_push_through_broadcasts_transposes_and_casts() {
    let x = random(3);
    let row = chunkwise::random::uniform::<f64>(&[1_000], [100], 4);
    let cases: Vec<LazyArray<f64>> = vec![
        (&x * &row).slice(s![10..20, 5]),
        (&x * &row).slice(s![3, ..;-3]),
        (&x + &x.t()).slice(s![..50, 100..300;7]),
        x.t().sin().slice(s![1..999;5, ..;4]),
        x.astype::<f32>().astype::<f64>().slice(s![.., 7..8]),
        (&x - 1.0).slice(s![NewAxis, 2..4, ..3]),
    ];
    for z in cases {
        let fast = z.compute().unwrap();
        let plain = z.compute_with(&unoptimized()).unwrap();
        assert_close(&fast, &plain, RTOL);
        assert_eq!(fast.shape(), z.shape());
    }
}

#[test]
fn slices_push_through_concatenations_to_the_inputs_they_touch() {
    let (x, y) = (random(6), random(7));
    let joined = chunkwise::concatenate(&[&x * 2.0, &y + 1.0], 0);
    // Rows 990..1010 span both inputs; columns 5..8 of the first column of blocks.
    let z = joined.slice(s![990..1010, 5..8]);
    let plan = z.explain().unwrap();
    assert!(plan.contains("moved below concatenate"), "{plan}");
    assert!(
        plan.contains("multiply = fused [random.uniform → multiply]: [10, 3]")
            && plan.contains("add = fused [random.uniform → add]: [10, 3]"),
        "{plan}"
    );
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
    // One input only, an index on the joined axis, steps, a roll and a stack.
    let cases: Vec<LazyArray<f64>> = vec![
        joined.slice(s![1200..1300;3, ..]),
        joined.slice(s![999, 10..20]),
        joined.slice(s![5..1995;7, 3]),
        joined.slice(s![..;-5, ..2]),
        x.roll(250, 1).slice(s![.., 700..800]),
        chunkwise::stack(&[x.clone(), y.sin()], 1).slice(s![3..5, 1, 990..]),
    ];
    for z in cases {
        let fast = z.compute().unwrap();
        assert_eq!(fast.shape(), z.shape());
        assert_eq!(fast, z.compute_with(&unoptimized()).unwrap());
    }
}

#[test]
fn a_shared_node_is_not_sliced_twice() {
    let x = random(5);
    let shared = x.sin().exp();
    let out = chunkwise::compute_many(&[&shared.slice(s![..10, ..10]), &shared.sum(0)]).unwrap();
    let plain = chunkwise::compute_many_with(
        &[&shared.slice(s![..10, ..10]), &shared.sum(0)],
        &unoptimized(),
    )
    .unwrap();
    assert_close(&out[0], &plain[0], RTOL);
    assert_close(&out[1], &plain[1], RTOL);
    let plan = shared.slice(s![..10, ..10]).explain().unwrap();
    assert!(plan.contains("pushdown"), "unshared: pushed\n{plan}");
}

#[test]
fn slices_of_slices_merge_and_constants_fold() {
    let x = random(6);
    let z = x.sin().slice(s![1..;3, ..]).slice(s![2..10;-2, 5..]);
    let plan = z.explain().unwrap();
    assert!(plan.contains("simplify: slice"), "{plan}");
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
    let c = chunkwise::full::<f64>(&[], 2.0, Vec::<usize>::new());
    let folded = ((&c + 3.0) * 4.0).sqrt();
    let plan = folded.explain().unwrap();
    assert!(plan.contains("folded into a constant"), "{plan}");
    assert_eq!(folded.compute_scalar().unwrap(), 20f64.sqrt());
}

/// A slice of a generated array is generated directly (`Source::Strided`): every
/// counter-based generator, with steps, negative steps, indices, new axes, empty and
/// nested slices, gives exactly the values of the unoptimized plan.
#[test]
fn slices_of_generators_generate_only_the_kept_elements() {
    let u = random(11);
    let n = chunkwise::random::normal::<f64>(&[300, 70], [64, 30], 3);
    let h = chunkwise::random::hash_uniform::<f32>(&[300, 70], [64, 30], 1);
    let r = chunkwise::arange(0i64, 21_000, 1, [1000]).reshape(&[300, 70]);
    let l = chunkwise::linspace(0.0f64, 1.0, 21_000, [999]).reshape(&[300, 70]);
    let plan = u.slice(s![..;3, 500..]).explain().unwrap();
    assert!(plan.contains("moved below random.uniform"), "{plan}");
    assert!(plan.contains("random.uniform: [334, 500]"), "{plan}");
    for x in [u.clone(), n] {
        let cases: Vec<LazyArray<f64>> = vec![
            x.slice(s![..;3, 7..]),
            x.slice(s![..;-2, 5]),
            x.slice(s![10, NewAxis, ..;-7]),
            x.slice(s![3..3, ..]),
            x.slice(s![1..;2, ..]).slice(s![..;-3, 2..9]),
            x.t().slice(s![5..9, ..;4]),
        ];
        for z in cases {
            assert_eq!(
                z.compute().unwrap(),
                z.compute_with(&unoptimized()).unwrap()
            );
        }
    }
    let z = h.slice(s![..;-5, 3..60;4]);
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
    let z = l.slice(s![299, ..]);
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
    // linspace's last element is exactly `stop`, sliced or not.
    assert_eq!(z.compute().unwrap()[[69]], 1.0);
    let z = r.slice(s![..;-1, 1..;3]);
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
    // A slice of a transposed generator is generated transposed: no transpose layer.
    let c = chunkwise::random::uniform::<f64>(&[7, 9, 11], [3, 4, 5], 5);
    let z = c.permute_axes([2, 0, 1]).slice(s![1..;2, .., 3..]);
    let plan = z.explain().unwrap();
    assert!(!plan.contains("] transpose:"), "{plan}");
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
    let z = u.t().slice(s![..;7, 100..]);
    assert!(!z.explain().unwrap().contains("] transpose:"));
    assert_eq!(
        z.compute().unwrap(),
        z.compute_with(&unoptimized()).unwrap()
    );
}
