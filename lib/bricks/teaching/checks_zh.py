"""The your-turn checker in Chinese: every message of `bricks.teaching.checks`, every slip's name.

One catalog, three tables, each keyed by the English text:

- `MESSAGES`: the checker's templates (`checks._t`), with the same `{placeholders}` and format
  specs as the English; a template starting "Not yet:" starts "还不对：" here (the checker puts
  the argument set after that prefix), and the workshop stub's TODO comment (tools/workshop.py);
- `SLIPS`: every `Mistake.why` of `bricks.teaching.exercises` (the known slips, and the other
  right forms of `accept`);
- `NOTES`: every `Case.note` (what is special about an argument set).

Used when `bricks.teaching.language.language()` is "zh" (the Chinese edition's notebooks).
`tests/teaching/test_checks_zh.py` fails naming any English template, slip or note without a
Chinese entry here, so a new slip arrives with its translation. Code, formulas, numbers and
variable names stay as they are in the English; the terms are the glossary's
(book/appendix/glossary.md).
"""

MESSAGES = {
    # verdicts
    "Not yet:": "还不对：",
    "Not yet: on argument set {k} of {n} ({detail}):":
        "还不对：在第 {k} 组参数上（共 {n} 组；这一组的参数：{detail}），",
    "{shapes}; {note}": "{shapes}；{note}",
    "a list of {count}": "含 {count} 项的列表",
    "a function": "一个函数",
    "Not done yet: using the reference for {name}.": "还没写完：先用 {name} 的参考实现。",
    "Using the reference for {name} so that the cells below still run.":
        "下面改用 {name} 的参考实现，好让后面的单元格照常运行。",
    "It behaves like a known slip: {why}.": "这和一个常见错误的表现完全相同：{why}。",
    "Correct: {name} has shape {shape}.": "正确：{name} 的形状是 {shape}。",
    "Correct: {name} matches.": "正确：{name} 与期望一致。",
    "Correct: {name} matches (shape {shape}, max abs difference {worst:.2g}).":
        "正确：{name} 与期望一致（形状 {shape}，最大绝对误差 {worst:.2g}）。",
    "Correct: {name} matches the reference on {n} argument sets (shapes {shapes}; max abs difference {worst:.2g}).":
        "正确：{name} 在 {n} 组参数上都与参考实现一致（形状 {shapes}；最大绝对误差 {worst:.2g}）。",
    "Correct: {name} matches the reference and finite differences on {n} argument sets "
    "(shapes {shapes}; max abs difference {worst:.2g}).":
        "正确：{name} 在 {n} 组参数上都与参考实现和有限差分一致（形状 {shapes}；最大绝对误差 {worst:.2g}）。",
    "Correct: {name} matches on {n} argument sets, in another right form: {why}.":
        "正确：{name} 在 {n} 组参数上都一致，用的是另一种正确写法：{why}。",
    "Correct: {name} agrees with finite differences (rel_error {err:.2e} < {tol:.0e}).":
        "正确：{name} 与有限差分一致（rel_error {err:.2e} < {tol:.0e}）。",
    "Correct: {name}.backward matches finite differences for the input and {count} weight(s).":
        "正确：{name}.backward 对输入和 {count} 个权重的梯度都与有限差分一致。",
    "Not yet: {name} is None (did the function forget to `return`?).":
        "还不对：{name} 是 None（函数是不是忘了 `return`？）。",
    "Not yet: {name} is complex ({dtype}), expected real numbers "
    "(a square root of a negative number, or a 1j, slipped in?).":
        "还不对：{name} 是复数（{dtype}），应为实数（是不是对负数开了平方根，或者混进了 1j？）。",
    "Not yet: {name} is a {kind}, not an array of numbers.": "还不对：{name} 是 {kind}，不是数值数组。",
    "Not yet: {name} has shape {shape}, expected {expected}.": "还不对：{name} 的形状是 {shape}，应为 {expected}。",
    "Not yet: {name} has {count} NaN/inf value(s) (first at index {first}): "
    "an overflow, a log of 0 or a division by 0?":
        "还不对：{name} 有 {count} 个 NaN/inf 值（第一个在下标 {first}）：是溢出、对 0 取对数，还是除以 0？",
    "Not yet: {name} has {count} NaN/inf value(s): an overflow, a log of 0 or a division by 0?":
        "还不对：{name} 有 {count} 个 NaN/inf 值：是溢出、对 0 取对数，还是除以 0？",
    "Not yet: {name} is {got:.8g}, expected {expected:.8g} (difference {worst:.3g}).":
        "还不对：{name} 是 {got:.8g}，应为 {expected:.8g}（相差 {worst:.3g}）。",
    "Not yet: {name} differs from the expected value in {count} of {size} entries; the largest "
    "difference is {worst:.3g} at index {index}: got {got:.8g}, expected {expected:.8g}.":
        "还不对：{name} 的 {size} 个元素中有 {count} 个与期望值不同；最大差异 {worst:.3g} 在下标 {index}："
        "得到 {got:.8g}，应为 {expected:.8g}。",
    "Not yet: grad_f raised {kind}: {exc}": "还不对：grad_f 抛出了 {kind}：{exc}。",
    "Not yet: f raised {kind}: {exc}": "还不对：f 抛出了 {kind}：{exc}。",
    "Not yet: {name} raised {kind}: {exc}": "还不对：{name} 抛出了 {kind}：{exc}。",
    "Not yet: checking {name} raised {kind}: {exc}": "还不对：检查 {name} 时抛出了 {kind}：{exc}。",
    "Not yet: checking {name} against finite differences raised {kind}: {exc}":
        "还不对：用有限差分检查 {name} 时抛出了 {kind}：{exc}。",
    "Not yet: {name} has shape {shape}, but a gradient is shaped like x: {expected}.":
        "还不对：{name} 的形状是 {shape}，但梯度应与 x 同形：{expected}。",
    "Not yet: {name} has rel_error {err:.2e} against finite differences (needs < {tol:.0e}); "
    "the largest difference is at index {index}: yours {got:.8g}, numerical {numerical:.8g}.":
        "还不对：{name} 与有限差分的 rel_error 为 {err:.2e}（需要 < {tol:.0e}）；最大差异在下标 {index}："
        "你的值 {got:.8g}，数值梯度 {numerical:.8g}。",
    "Not yet: {name}.backward disagrees with finite differences for {parts} "
    "(worst {worst}: {err:.2e}, needs < {tol:.0e}).":
        "还不对：{name}.backward 在 {parts} 上与有限差分不一致（最差的是 {worst}：{err:.2e}，需要 < {tol:.0e}）。",
    "Not yet: on argument set {k}, {name} disagrees with finite differences for "
    "{parts} (worst {worst}: rel_error {err:.2e}, needs < 1e-06).":
        "还不对：在第 {k} 组参数上，{name} 在 {parts} 上与有限差分不一致"
        "（最差的是 {worst}：rel_error {err:.2e}，需要 < 1e-06）。",
    "Not yet: {name} should be a dict with keys {keys}, got {got}.":
        "还不对：{name} 应是键为 {keys} 的 dict，实际是 {got}。",
    'Not yet: {name} should return {count} values{named}, got {got}.':
        '还不对：{name} 应返回 {count} 个值{named}，实际是 {got}。',
    ' ({names})': '（{names}）',
    '{name} (output {i} of {n})': '{name}（第 {i} 个输出，共 {n} 个）',
    ' (output ': '（第 ',
    ' The outputs are right but in another order{order}.': '各个输出都对，但顺序不同{order}。',
    '; return ({names}) in that order': '；请按 ({names}) 的顺序返回',
    " Outputs {a} and {b} are swapped: each is right in the other's place{order}.":
        '第 {a} 个和第 {b} 个输出对调了：各自放到对方的位置上就对了{order}。',
    ' It equals the transpose of the expected value: rows and columns swapped (which index is the row?).':
        '它等于期望值的转置：行和列对调了（哪个下标表示行？）。',
    ' Every expected value lies in [{lo:g}, {hi:g}], yet yours reach {worst:.4g}: a function bounded to that range '
    '({what}) missing, or something added after it?':
        '每个期望值都在 [{lo:g}, {hi:g}] 之内，而你的值达到了 '
        '{worst:.4g}：是漏了一个值域限于这个范围的函数（{what}），还是在它之后又加了什么？',
    "a sigmoid, a softmax, a probability, tanh'": "sigmoid、softmax、概率、tanh'",
    'tanh, a sine, a correlation': 'tanh、正弦、相关系数',
    ' along axis {axis}': '（沿轴 {axis}）',
    ' Only the first step{along} differs, the rest match, on every argument set: the zero padding, or the range of a '
    'loop (where it starts or stops)?':
        '只有第一步{along}不同，其余都一致，每组参数上都是如此：是零填充的问题，还是循环的范围（从哪里开始、到哪里结束'
        '）？',
    ' Only the last step{along} differs, the rest match, on every argument set: the zero padding, or the range of a '
    'loop (where it starts or stops)?':
        '只有最后一步{along}不同，其余都一致，每组参数上都是如此：是零填充的问题，还是循环的范围（从哪里开始、到哪里结'
        '束）？',
    ' Only the first {m} steps{along} differ, the rest match, on every argument set: the zero padding, or the range '
    'of a loop (where it starts or stops)?':
        '只有前 {m} '
        '步{along}不同，其余都一致，每组参数上都是如此：是零填充的问题，还是循环的范围（从哪里开始、到哪里结束）？',
    ' Only the last {m} steps{along} differ, the rest match, on every argument set: the zero padding, or the range of '
    'a loop (where it starts or stops)?':
        '只有最后 {m} '
        '步{along}不同，其余都一致，每组参数上都是如此：是零填充的问题，还是循环的范围（从哪里开始、到哪里结束）？',
    ' and ': '、',
    "{count} values": "{count} 个值",
    "one value": "1 个值",
    "Not yet: {name} calls the library's {function} ({module}), the very thing this exercise "
    "asks you to write: write it with numpy (the check compares your answer with that function).":
        "还不对：{name} 调用了库里的 {function}（{module}），而这正是本练习要你自己写的：请用 numpy 写出来"
        "（检查程序就是拿你的答案和这个函数比较）。",
    # hints, appended to a verdict (the English ones start with a space)
    " It is the transpose of what was expected: check the order of a matrix product.":
        "它正好是期望形状的转置：检查矩阵乘积中因子的顺序。",
    " Same number of entries: a reshape or a different axis order?":
        "元素个数相同：是 reshape 错了，还是轴的顺序不同？",
    " It has {axes} axes, expected {expected}: a missing or extra axis (keepdims, batch)?":
        "它有 {axes} 个轴，应有 {expected} 个：少了或多了一个轴（keepdims、批次维）？",
    " It is exactly the negative of the expected value: a sign slip (gradient ascent vs descent?).":
        "它正好是期望值的相反数：符号写反了（梯度上升还是梯度下降？）。",
    " It equals the transpose of the expected value.": "它等于期望值的转置。",
    " It is the expected value times {ratio:.6g}: a missing or extra constant factor "
    "(1/N for a mean, 2 from a square, the learning rate?).":
        "它是期望值乘以 {ratio:.6g}：少了或多了一个常数因子（均值的 1/N、平方求导带来的 2、学习率？）。",
    " It is exactly the negative of the expected value: a sign slip (a minus, or the two terms of "
    "a difference swapped?).":
        "它正好是期望值的相反数：符号写反了（多了一个负号，还是差的两项前后对调了？）。",
    " It equals the transpose of the expected value: check which factor of the matrix product comes first.":
        "它等于期望值的转置：检查矩阵乘积中哪个因子在前。",
    " On every argument set it is the expected value times {ratio:.6g}: a missing or extra constant "
    "factor (1/N for a mean, 2 from a square, the learning rate, a scale?).":
        "在每组参数上它都是期望值乘以 {ratio:.6g}：少了或多了一个常数因子（均值的 1/N、平方求导带来的 2、学习率、"
        "缩放系数？）。",
    " It is off by one ({got:g} instead of {expected:g}): a count that includes or leaves out one end?":
        "差了 1（得到 {got:g}，应为 {expected:g}）：计数时多算或漏算了一端？",
    " Along axis {axis} it is shifted by one: entry i holds the value expected at index i+1 "
    "(everything one step early): an off-by-one in an index or a slice.":
        "沿轴 {axis} 错开了一位：第 i 个元素是期望中下标 i+1 处的值（整体早了一步）：下标或切片差了一位。",
    " Along axis {axis} it is shifted by one: entry i holds the value expected at index i-1 "
    "(everything one step late): an off-by-one in an index or a slice.":
        "沿轴 {axis} 错开了一位：第 i 个元素是期望中下标 i-1 处的值（整体晚了一步）：下标或切片差了一位。",
    " A shape mismatch: write each factor's shape next to it, (N, H) @ (H, K) -> (N, K); "
    "a missing or extra transpose?":
        "形状不匹配：把每个因子的形状写在它旁边，(N, H) @ (H, K) -> (N, K)；是少了还是多了一次转置？",
    # check_layer_backward's table, the scoreboard
    "d input": "d 输入",
    "right": "对",
    "wrong": "错",
    "not done": "未完成",
    " (a whole piece)": "（完整部件）",
    "Your turns: {right} of {n} right.": "动手练习：{n} 题中做对 {right} 题。",
    "Your turns in {chapter}: {right} of {n} right.": "{chapter} 的动手练习：{n} 题中做对 {right} 题。",
    # the workshop's stub (tools/workshop.py writes it into the Chinese student set)
    "# TODO: your code here (the check below says what differs)":
        "# TODO: 在这里写你的代码（下面的检查会指出哪里不同）",
}

SLIPS = {
    # ch01.neuron_output
    'the weights are ignored (x1 + x2 + b)': '忽略了权重（x1 + x2 + b）',
    'the weights are paired with the wrong inputs (w reversed)': '权重配错了输入（w 顺序反了）',
    'the bias b is missing': '漏了偏置 b',
    'the sign inside exp is flipped (sigma(-z))': 'exp 里的符号反了（sigma(-z)）',
    'the sigmoid is missing: that is z, not the output': '漏了 sigmoid：这是 z，不是输出',
    'X * w multiplies entry by entry: (N, 2), not the sum over inputs (N,)':
        'X * w 是逐元素相乘：得到 (N, 2)，而不是对输入求和后的 (N,)',
    # ch01.predict_class
    '>= puts the points on the line (w.x + b = 0) in class 1': '>= 把恰好在直线上（w.x + b = 0）的点归到了类别 1',
    'the classes are swapped (< instead of >)': '两个类别对调了（用了 < 而不是 >）',
    'the weights are ignored': '忽略了权重',
    'sigma(z) > 0 always holds: the threshold on sigma(z) is 0.5': 'sigma(z) > 0 永远成立：对 sigma(z) 的阈值是 0.5',
    # ch01.perceptron
    'the update subtracts the error: it moves the line the wrong way': '更新时减去了误差：直线往错误的方向移动',
    'the bias is never updated': '偏置从未更新',
    ">= 0 predicts class 1 on the line, where the book's neuron says 0":
        '>= 0 在直线上预测类别 1，而书中的神经元在那里输出 0',
    'the error added to every weight, not times the input': '误差直接加到每个权重上，没有乘以输入',
    'weights started at 1, not 0': '权重从 1 开始，而不是从 0 开始',
    'one epoch too few (range(epochs - 1))': '少跑了一个轮次（range(epochs - 1)）',
    # ch02.sigmoid_grad
    's (1 - z): the input z where the output s belongs': 's (1 - z)：把输入 z 放在了应该是输出 s 的位置',
    'z (1 - z): the formula applied to the input instead of sigma(z)':
        'z (1 - z)：公式用在了输入上，而不是 sigma(z) 上',
    'the factor s is missing: (1 - s) alone': '漏了因子 s：只剩 (1 - s)',
    's (1 + s): a sign slip inside the bracket': 's (1 + s)：括号里的符号写错了',
    'an extra factor 2': '多了一个因子 2',
    's squared': 's 的平方',
    'the whole derivative negated': '整个导数取了负号',
    # ch02.hidden_delta
    "sigma'(z1) = h1 (1 - h1) is missing": "漏了 sigma'(z1) = h1 (1 - h1)",
    'W2 without its transpose': 'W2 没有转置',
    "sigma' applied to h1 (already a sigmoid output)": "sigma' 用在了 h1 上（h1 已经是 sigmoid 的输出）",
    "tanh's derivative 1 - h1^2 instead of the sigmoid's": '用了 tanh 的导数 1 - h1^2，而不是 sigmoid 的',
    'the sign is flipped': '符号反了',
    'an extra 1/N (delta2 already carries it)': '多了一个 1/N（delta2 里已经有了）',
    # ch02.net_backward
    "the hidden layer's sigma'(z1) = h1 (1 - h1) is missing from delta1":
        "delta1 里漏了隐藏层的 sigma'(z1) = h1 (1 - h1)",
    "the output's sigma'(z2) = h2 (1 - h2) is missing from delta2 (that is cross-entropy's delta)":
        "delta2 里漏了输出层的 sigma'(z2) = h2 (1 - h2)（那是交叉熵的 delta）",
    'the 1/N of the mean loss is missing': '漏了均值损失的 1/N',
    '(Y - h2) instead of (h2 - Y): every gradient has the wrong sign':
        '用了 (Y - h2) 而不是 (h2 - Y)：每个梯度的符号都反了',
    'the bias gradients average over the samples instead of summing (the 1/N is already in delta2)':
        '偏置梯度对样本求了平均而不是求和（1/N 已经在 delta2 里）',
    'dW = delta^T x: the weight gradients transposed': 'dW = delta^T x：权重梯度被转置了',
    # ch02a.softmax
    "exp(z) without subtracting the row's maximum overflows at a logit of 1000":
        'exp(z) 之前没有减去每行的最大值：logit 为 1000 时溢出',
    'normalised over axis 0 (the samples) instead of axis 1 (the classes)':
        '在 axis 0（样本）上归一化，而不是在 axis 1（类别）上',
    'divided by the sum over the whole batch, not per row': '除以了整个批次的总和，而不是每行的和',
    'the maximum of the whole batch, not of each row: a row far below it underflows to 0/0':
        '减去的是整个批次的最大值而不是每行的最大值：远低于它的那一行会下溢成 0/0',
    "the row's minimum subtracted instead of its maximum": '减去的是每行的最小值而不是最大值',
    "the normalisation (divide by the row's sum) is missing": '漏了归一化（除以每行的和）',
    # ch02a.output_delta
    'binary cross-entropy without its 1/2 (its mean runs over N x 2 entries)':
        '二元交叉熵漏了 1/2（它的均值是对 N x 2 个元素取的）',
    "squared error without sigma'(z2) = h2 (1 - h2)": "平方误差漏了 sigma'(z2) = h2 (1 - h2)",
    '(Y - h2) instead of (h2 - Y)': '用了 (Y - h2) 而不是 (h2 - Y)',
    'the 1/N of the mean is missing': '漏了均值的 1/N',
    "softmax cross-entropy with an extra sigma' (it cancels)": "softmax 交叉熵多乘了一个 sigma'（它会被约掉）",
    'squared error with a 2 (the loss is 1/2 (h - y)^2)': '平方误差多了一个 2（损失是 1/2 (h - y)^2）',
    # ch02a.softmax_ce
    'dL/dz without the 1/N of the mean': 'dL/dz 漏了均值的 1/N',
    'Y - p: the sign': 'Y - p：符号反了',
    'the loss summed, not averaged': '损失求了和，而不是取平均',
    "an extra p (1 - p): softmax and cross-entropy's Jacobians cancel to p - Y":
        '多了一个 p (1 - p)：softmax 与交叉熵的雅可比矩阵相乘后约成 p - Y',
    'the binary cross-entropy summed over the classes': '对各类别求和的二元交叉熵',
    'no max subtracted: exp(710) overflows': '没有减去最大值：exp(710) 溢出',
    'log of the softmax: a probability that underflows to 0 gives log 0 = -inf (use log-sum-exp)':
        '对 softmax 取对数：下溢为 0 的概率会得到 log 0 = -inf（应该用 log-sum-exp）',
    # ch02b.mul_backward
    'the two gradients swapped: dL/da needs the other factor, b': '两个梯度交换了：dL/da 需要的是另一个因子 b',
    'the upstream gradient g is missing': '漏了上游梯度 g',
    'both signs flipped': '两个符号都反了',
    'the same gradient for both inputs': '两个输入用了同一个梯度',
    "summed to a number: a gradient has its input's shape": '加总成了一个数：梯度的形状应与它的输入相同',
    'added instead of multiplied (that is the rule for c = a + b, wrongly)':
        '用了加法而不是乘法（那是 c = a + b 的规则，用错了地方）',
    # ch02b.tanh_local
    '1 - tanh(t)^2: t is already tanh(z)': '1 - tanh(t)^2：t 已经是 tanh(z) 了',
    '1 - t: the square is missing': '1 - t：漏了平方',
    "t (1 - t): the sigmoid's derivative": 't (1 - t)：这是 sigmoid 的导数',
    '1 + t^2: a sign slip': '1 + t^2：符号写错了',
    '(1 - t)^2: the square in the wrong place': '(1 - t)^2：平方放错了位置',
    # ch02b.tanh_node
    'the upstream gradient g is not multiplied in': '没有乘上游梯度 g',
    '1 - z^2 uses the input where the output t belongs': '1 - z^2 把输入放在了应该是输出 t 的位置',
    'the forward output is z, not tanh(z)': '前向输出是 z，而不是 tanh(z)',
    'the square on the wrong factor': '平方加在了错误的因子上',
    # ch03.sgd_step
    'w + lr g: gradient ascent': 'w + lr g：这是梯度上升',
    'the learning rate is missing': '漏了学习率',
    'the learning rate applied twice': '学习率乘了两次',
    'the step alone, without the old weights': '只有步长，没有加上旧权重',
    'only the first array is updated': '只更新了第一个数组',
    'the gradients paired with the wrong weights': '梯度配错了权重',
    # ch03.clip_by_norm
    'always rescaled to the threshold, also when the norm is already smaller': '总是缩放到阈值，范数本来就更小时也缩放',
    'each entry clipped to [-c, c] (clip by value), not the norm': '把每个元素截断到 [-c, c]（按值裁剪），而不是按范数',
    'the squared norm (no square root)': '用了范数的平方（没有开平方根）',
    'max instead of min: small gradients are blown up': '用了 max 而不是 min：小梯度被放大了',
    'the largest entry instead of the L2 norm': '用了最大元素而不是 L2 范数',
    'normalised to norm 1, the threshold unused': '归一化到范数 1，阈值没有用上',
    # ch03.train_loop
    'the last, smaller batch is dropped': '丢掉了最后那个较小的批次',
    "divided by batch_size, not by the batch's own length (the last batch is smaller)":
        '除以 batch_size，而不是这个批次自己的长度（最后一个批次更小）',
    "the batch's sum, not its mean": '用了批次的总和，而不是均值',
    'the weight gradient averaged a second time (the 1/B is already in g)': '权重梯度又平均了一次（1/B 已经在 g 里）',
    # ch03a.momentum_step
    'theta - v: the velocity already carries the minus': 'theta - v：速度里已经带了负号',
    "PyTorch's velocity (v = beta v + g, step lr v): another state, another convention":
        'PyTorch 的速度（v = beta v + g，步长 lr v）：另一种状态、另一种约定',
    'beta is missing: the velocity never decays': '漏了 beta：速度永远不衰减',
    'the step uses the old velocity': '这一步用的是旧速度',
    "an average (1 - beta) g: that is Adam's first moment": '取了平均 (1 - beta) g：那是 Adam 的一阶矩',
    'the velocity is updated but not used': '速度更新了却没有用上',
    # ch03a.adam_step
    'no bias correction': '没有偏差修正',
    'eps inside the square root': 'eps 放在了平方根里面',
    'the correction with t - 1 (the step count before this step)': '修正时用了 t - 1（这一步之前的步数）',
    'the second moment averages g, not g^2': '二阶矩平均的是 g 而不是 g^2',
    'beta_1 and 1 - beta_1 swapped': 'beta_1 与 1 - beta_1 对调了',
    'theta + step: the sign of the update': 'theta + step：更新的符号反了',
    "the paper's form, eps added to the bias-corrected sqrt(s)": '论文里的写法：eps 加在经过偏差修正的 sqrt(s) 上',
    # ch04.dense_forward
    'the bias is missing': '漏了偏置',
    'the bias subtracted': '减去了偏置',
    'the kernel transposed': '权重矩阵被转置了',
    'summed over the time steps: (N, U), not (N, T, U)': '对时间步求了和：得到 (N, U)，而不是 (N, T, U)',
    'only the last time step': '只取了最后一个时间步',
    'an extra 1/D': '多了一个 1/D',
    # ch04.dense_backward
    'dx = dy W: the kernel needs its transpose': 'dx = dy W：权重矩阵需要转置',
    'dkernel transposed: (U, D) instead of (D, U)': 'dkernel 被转置了：(U, D) 而不是 (D, U)',
    'dbias summed over the samples only: the time axis remains': 'dbias 只对样本求和：时间轴还留着',
    "an extra 1/N (the loss's mean is already in dy)": '多了一个 1/N（损失的均值已经在 dy 里）',
    'dkernel from the last time step only (a term per step is missing)':
        'dkernel 只来自最后一个时间步（漏了每一步各自的一项）',
    'dx with the wrong sign': 'dx 的符号反了',
    # ch04.binary_crossentropy
    'a sum instead of the mean': '求和而不是取均值',
    'log base 10 instead of the natural log': '用了以 10 为底的对数，而不是自然对数',
    'the minus sign is missing': '漏了负号',
    'the (1 - y) log(1 - p) term is missing': '漏了 (1 - y) log(1 - p) 这一项',
    'y and p swapped': 'y 与 p 对调了',
    'a mean per column, not one number': '每列一个均值，而不是一个数',
    # ch05.upsample1d
    'np.tile repeats the whole sequence (1 2 3 1 2 3), not each step (1 1 2 2 3 3)':
        'np.tile 重复的是整条序列（1 2 3 1 2 3），而不是每一步（1 1 2 2 3 3）',
    'repeated along the channels (axis 2), not the steps (axis 1)': '沿通道（axis 2）重复，而不是沿时间步（axis 1）',
    'repeated along the batch (axis 0)': '沿批次（axis 0）重复',
    'np.repeat without an axis flattens the array': '不带 axis 的 np.repeat 会把数组展平',
    'each step repeated size + 1 times, then cut': '每一步重复了 size + 1 次，再截断',
    'zeros for the copies (that is zero padding)': '副本位置填了零（那是零填充）',
    # ch05.upsample1d_backward
    "reshaped (N, size, T, C): that groups steps t, t + T, ... (np.tile's copies), not the size copies of one step":
        'reshape 成 (N, size, T, C)：这样分组的是第 t、t + T、... 步（np.tile 的副本），而不是同一步的 size 个副本',
    "only the first copy's gradient, the others dropped": '只取了第一个副本的梯度，其余的丢掉了',
    'the mean of the copies instead of their sum': '对副本取了均值而不是求和',
    'the sign flipped': '符号反了',
    'the gradient passed through unchanged: (N, size T, C), not (N, T, C)':
        '梯度原样传了回去：(N, size T, C)，而不是 (N, T, C)',
    "only the last copy's gradient": '只取了最后一个副本的梯度',
    # ch05.conv1d_backward
    'dx[:, j:j+T] = ... overwrites: the windows overlap, their gradients must add up (+=)':
        'dx[:, j:j+T] = ... 是覆盖写入：窗口互相重叠，它们的梯度必须累加（+=）',
    'the kernel flipped in dx (that is a true convolution; Conv1D is a correlation)':
        'dx 里的卷积核翻转了（那是真正的卷积；Conv1D 是互相关）',
    "dkernel's channel axes swapped: (k, F, C) where (k, C, F) belongs":
        'dkernel 的两个通道轴交换了：应为 (k, C, F) 的地方写成了 (k, F, C)',
    'an extra 1/N in dkernel': 'dkernel 多了一个 1/N',
    'dx shaped like the output (T - k + 1 steps), not like x (T steps)':
        'dx 的形状和输出一样（T - k + 1 步），而不是和 x 一样（T 步）',
    'the window for dkernel[j] starts one step late': 'dkernel[j] 的窗口晚了一步开始',
    # ch06.dropout_forward
    'the kept units are not scaled up by 1 / (1 - rate)': '保留下来的单元没有乘以 1 / (1 - rate) 放大',
    'multiplied by (1 - rate) instead of divided (inference-time scaling)':
        '乘以 (1 - rate) 而不是除以它（那是推理时的缩放）',
    'divided by the rate instead of the keep probability 1 - rate': '除以 rate，而不是保留概率 1 - rate',
    'the mask inverted: the dropped units kept': '掩码取反了：保留了被丢弃的单元',
    'the mask is not applied': '没有应用掩码',
    'summed over the units': '对各单元求了和',
    # ch06.dropout_backward
    'the 1 / (1 - rate) scale is missing from the backward pass': '反向传播里漏了 1 / (1 - rate) 的缩放',
    'the gradient flows through the dropped units too': '梯度也流过了被丢弃的单元',
    'passed through unchanged': '原样传了回去',
    'multiplied by (1 - rate)': '乘以了 (1 - rate)',
    'the mask inverted': '掩码取反了',
    # ch06.penalty_grads
    "the 2 from the square is missing in L2's gradient": 'L2 的梯度里漏了平方求导带来的 2',
    '|w| instead of its slope sign(w)': '用了 |w| 而不是它的斜率 sign(w)',
    "L1's slope is 1 everywhere: the sign of w is missing": 'L1 的斜率处处为 1：漏了 w 的符号',
    'the penalties themselves, not their gradients': '给出的是惩罚项本身，而不是它们的梯度',
    'sign(0) taken as +1: at w = 0 the L1 slope is 0': '把 sign(0) 当成了 +1：在 w = 0 处 L1 的斜率是 0',
    'summed to a number: a gradient is shaped like w': '加总成了一个数：梯度的形状应与 w 相同',
    # ch06.early_stopping
    'the stop comes one epoch late (> patience where >= belongs)': '停得晚了一个轮次（应为 >= 的地方用了 > patience）',
    'the weights of the last epoch are kept, not those of the best': '保留的是最后一个轮次的权重，而不是最好那个轮次的',
    'worse than the previous epoch counted, not worse than the best so far':
        '只和上一个轮次比是否变差，而不是和到目前为止最好的比',
    'a tie with the best counted as an improvement': '与最好值持平被算作了改进',
    'the worst epoch restored (argmax)': '恢复的是最差的轮次（argmax）',
    'never stops: the patience is ignored': '永远不停：忽略了 patience',
    # ch07.embedding_forward
    'ids shifted by one (id 0 is the first row)': 'id 错开了一位（id 0 对应第一行）',
    'columns of the table picked: the table is (M, D), one row per id': '取的是表的列：表是 (M, D)，每个 id 一行',
    'the one-hot vectors without the table': '只有独热向量，没有乘表',
    'summed over the steps: (N, D), not (N, T, D)': '对时间步求了和：得到 (N, D)，而不是 (N, T, D)',
    'flattened ids: (N T, D), not (N, T, D)': 'id 被展平了：得到 (N T, D)，而不是 (N, T, D)',
    # ch07.embedding_backward
    "dtable[ids] += g: numpy's buffered fancy indexing keeps one gradient per repeated id (use np.add.at)":
        'dtable[ids] += g：numpy 带缓冲的花式索引对重复的 id 只保留一个梯度（应该用 np.add.at）',
    "only the first step of each sequence: every step's gradient must reach its id":
        '只取了每条序列的第一步：每一步的梯度都必须回到它的 id',
    'an extra 1/(N T)': '多了一个 1/(N T)',
    'only as many rows as the largest id + 1, not M': '行数只有最大 id + 1，而不是 M',
    'the count of each id times the mean gradient': '每个 id 的出现次数乘以平均梯度',
    'each gradient added to the next row (ids + 1)': '每个梯度都加到了下一行（ids + 1）',
    # ch08.residual_backward
    'the skip path is missing: dL/dx gets dy straight through the addition':
        '漏了跳跃路径：dL/dx 应该经过加法直接拿到 dy',
    'the branch is missing': '漏了分支',
    'the branch subtracted': '减去了分支',
    'averaged: an addition passes the whole gradient to both inputs': '取了平均：加法会把整个梯度传给两个输入',
    'multiplied instead of added': '用了乘法而不是加法',
    "the branch's backward on ones, not on dy": '分支的反向传播作用在全 1 上，而不是 dy 上',
    # ch08.batchnorm_train
    'the unbiased variance (ddof=1): BatchNormalization uses the biased one':
        '用了无偏方差（ddof=1）：BatchNormalization 用的是有偏方差',
    'epsilon is missing': '漏了 epsilon',
    'epsilon outside the square root': 'epsilon 放在了平方根外面',
    'statistics per sample (axis 1): that is LayerNormalization': '按样本计算统计量（axis 1）：那是 LayerNormalization',
    'gamma and beta swapped': 'gamma 与 beta 对调了',
    'divided by the variance, not the standard deviation': '除以方差，而不是标准差',
    'one mean and variance for the whole batch, not per channel': '整个批次只算一个均值和方差，而不是每个通道各一个',
    # ch08.batchnorm_backward
    'dx = gamma dy / std: the paths through the batch mean and variance are missing':
        'dx = gamma dy / std：漏了经过批次均值和方差的路径',
    'the path through the variance (- xhat sum(dxhat xhat)) is missing': '漏了经过方差的路径（- xhat sum(dxhat xhat)）',
    'gamma is left out of dxhat = gamma dy': 'dxhat = gamma dy 里漏了 gamma',
    'dgamma and dbeta averaged over the batch instead of summed': 'dgamma 和 dbeta 对批次取了平均而不是求和',
    '+ xhat sum(dxhat xhat): the sign of the variance path': '+ xhat sum(dxhat xhat)：方差路径的符号反了',
    'dgamma and dbeta summed over everything: one number, not one per channel':
        'dgamma 和 dbeta 对所有元素求和：得到一个数，而不是每个通道一个',
    # ch09.rnn_step
    'the bias added after the tanh: it belongs inside, tanh(x U + h W + b)':
        '偏置加在了 tanh 之后：它应该在里面，tanh(x U + h W + b)',
    'a sigmoid where SimpleRNN uses tanh': '用了 sigmoid，而 SimpleRNN 用的是 tanh',
    'the recurrent kernel transposed': '循环权重矩阵被转置了',
    'the previous state is missing: no memory': '漏了上一步的状态：没有记忆',
    'the tanh is missing': '漏了 tanh',
    'the previous state added to the output': '把上一步的状态加到了输出上',
    # ch09.bptt_step
    "tanh' applied to the output's path only: both paths into h_t (do V^T + da_next W^T) go through tanh'":
        "tanh' 只用在了来自输出的路径上：进入 h_t 的两条路径（do V^T + da_next W^T）都要经过 tanh'",
    'W without its transpose': 'W 没有转置',
    'the path from the future (da_next W^T) is missing': '漏了来自未来的路径（da_next W^T）',
    "1 - h_t where tanh' is 1 - h_t^2": "用了 1 - h_t，而 tanh' 是 1 - h_t^2",
    "tanh's derivative is missing": '漏了 tanh 的导数',
    'tanh applied again to h_t (already tanh(a_t))': '又对 h_t 用了一次 tanh（h_t 已经是 tanh(a_t)）',
    "the future's path subtracted": '减去了来自未来的路径',
    # ch09.rnn_backward
    'dh0 returned as da_0, without W^T: h0 enters the first step through h0 W, so dh0 = da_0 W^T':
        '直接把 da_0 当作 dh0 返回，漏了 W^T：h0 经由 h0 W 进入第一步，所以 dh0 = da_0 W^T',
    'the gradient from step t + 1 (da_next W^T) never reaches step t: that is truncation to one step':
        '来自第 t + 1 步的梯度（da_next W^T）从未到达第 t 步：这相当于截断到一步',
    'da_next W without its transpose': 'da_next W 没有转置',
    'dW uses h_t where the previous state h_{t-1} multiplies W': 'dW 用了 h_t，而与 W 相乘的是上一步的状态 h_{t-1}',
    "1 - h where tanh' is 1 - h^2": "用了 1 - h，而 tanh' 是 1 - h^2",
    'at t = 0 the previous state is h0, not hs[:, -1] (a negative index wraps around)':
        '在 t = 0 时上一步的状态是 h0，而不是 hs[:, -1]（负下标会绕到末尾）',
    "the future's gradient subtracted": '减去了来自未来的梯度',
    # ch10.lstm_from_preactivation
    'h from tanh(c_{t-1}): the output reads the new cell, h_t = o tanh(c_t)':
        'h 用了 tanh(c_{t-1})：输出读取的是新的细胞状态，h_t = o tanh(c_t)',
    'the gate order i, f, o, g: Keras stores i, f, c (g), o':
        '门的顺序写成了 i, f, o, g：Keras 的存储顺序是 i, f, c (g), o',
    'h = o c: the tanh of the cell is missing': 'h = o c：漏了对细胞状态的 tanh',
    'the input gate i is missing from the carry': '细胞状态更新里漏了输入门 i',
    'the forget gate f is missing: the carry never forgets': '漏了遗忘门 f：细胞状态永远不会遗忘',
    '(1 - f) c: the forget gate inverted': '(1 - f) c：遗忘门取反了',
    'a sigmoid on the candidate g, where tanh belongs': '候选值 g 用了 sigmoid，应该用 tanh',
    # ch10.gru_update_gate_grad
    "only z of sigma': sigma'(a_z) = z (1 - z)": "sigma' 只乘了 z：sigma'(a_z) = z (1 - z)",
    'the difference the wrong way round, h~ - h_{t-1}: here h_t = z h_{t-1} + (1 - z) h~, z keeps the old state '
    "(PyTorch's convention)":
        '差的方向反了，写成 h~ - h_{t-1}：这里 h_t = z h_{t-1} + (1 - z) h~，z 保留旧状态（PyTorch 的约定）',
    "sigma'(a_z) = z (1 - z) is missing": "漏了 sigma'(a_z) = z (1 - z)",
    'the - h~ term is missing': '漏了 - h~ 这一项',
    'the upstream gradient dh is missing': '漏了上游梯度 dh',
    "only (1 - z) of sigma'": "sigma' 只乘了 (1 - z)",
    # ch10.lstm_sequence
    'the cell state c is not carried: reset to 0 every step': '细胞状态 c 没有传下去：每一步都重置为 0',
    'the hidden state h never enters the next step': '隐藏状态 h 从未进入下一步',
    'only the last state: return_sequences wants every step, (N, T, H)':
        '只有最后一个状态：return_sequences 要的是每一步，(N, T, H)',
    'the bias is left out': '漏了偏置',
    "the states stored before each step's update: everything one step late":
        '状态在每一步更新之前就存了下来：整体晚了一步',
    # ch11.causal_conv
    'no zeros in front: before step d (k - 1) a negative index wraps around to the end of x':
        '前面没有补零：在第 d (k - 1) 步之前，负下标会绕到 x 的末尾',
    'the kernel flipped: Conv1D multiplies the oldest step by w[0]': '卷积核翻转了：Conv1D 用 w[0] 乘最早的那一步',
    'zeros padded at the end: each output then sees the future': '零填充在末尾：每个输出都会看到未来',
    'the dilation is ignored (d = 1)': '忽略了空洞率（d = 1）',
    'd k zeros in front instead of d (k - 1): the output lags one step':
        '前面补了 d k 个零，而不是 d (k - 1) 个：输出滞后一步',
    'no padding: the output is shorter than x': '没有填充：输出比 x 短',
    "'same' padding, centred: half the window sees the future": "'same' 填充、居中：一半窗口看到了未来",
    # ch11.receptive_field
    'the first kernel size used for every layer': '每一层都用了第一层的卷积核大小',
    "the + 1 for the output's own step is missing": '漏了输出本身那一步的 + 1',
    'k d instead of (k - 1) d: a kernel of size k adds k - 1 gaps':
        '用了 k d 而不是 (k - 1) d：大小为 k 的卷积核增加 k - 1 个间隔',
    'the last layer only': '只算了最后一层',
    'the dilations paired with the wrong layers': '空洞率配错了层',
    # attn.scores
    'the scale 1/sqrt(D) is missing': '漏了缩放 1/sqrt(D)',
    'keys by queries: the (Tv, Tq) transpose': '键乘查询：得到 (Tv, Tq) 的转置',
    'divided by D again': '又除了一次 D',
    'already exponentiated: the softmax comes next': '已经取了指数：softmax 是下一步的事',
    'times sqrt(D) where the scale is 1/sqrt(D)': '乘以 sqrt(D)，而缩放应是 1/sqrt(D)',
    'already the softmax: the scores come before it': '已经做了 softmax：得分在 softmax 之前',
    # attn.causal_mask
    'upper triangle: each step sees the future': '上三角：每一步都能看到未来',
    'the diagonal is hidden: a step cannot see itself': '对角线被遮住了：一步看不到它自己',
    'nothing hidden': '什么都没遮住',
    'only the diagonal: a step sees only itself': '只有对角线：每一步只能看到自己',
    'strictly the future': '严格的未来部分',
    'the triangle mirrored left to right': '三角形左右镜像了',
    # attn.attend_backward
    'dk without the scale: dS^T Q needs the same factor as dq': 'dk 漏了缩放：dS^T Q 需要和 dq 一样的因子',
    "the softmax Jacobian's second term (- p rowsum(dP p)) is missing":
        '漏了 softmax 雅可比矩阵的第二项（- p rowsum(dP p)）',
    'the scale is missing from dq and dk': 'dq 和 dk 里漏了缩放',
    'dS with the wrong sign: P (rowsum(dP P) - dP)': 'dS 的符号反了：P (rowsum(dP P) - dP)',
    'the row sum taken over the wrong axis (columns)': '行和沿错误的轴（列）计算',
    'dS = dP: the softmax is skipped on the way back': 'dS = dP：反向时跳过了 softmax',
    'dk counted twice': 'dk 算了两次',
    # attn.sine_positions
    "the exponent -j/D for feature j: the cosine must share its pair's frequency, -2 (j // 2) / D":
        '特征 j 的指数用了 -j/D：余弦必须与它所在的那一对共享频率，-2 (j // 2) / D',
    'the exponent -2j/D with j counting features: i in -2i/D counts the (sin, cos) pairs, i = j // 2':
        '指数 -2j/D 里的 j 数的是特征：-2i/D 里的 i 数的是 (sin, cos) 对，i = j // 2',
    'sine on every feature: the odd ones are cosines': '每个特征都用正弦：奇数位应该是余弦',
    'cos and sin swapped': 'cos 与 sin 对调了',
    'positions counted from 1, not 0': '位置从 1 开始数，而不是从 0',
    'frequencies that grow with i (10000 ** (+2i/D)) instead of falling':
        '频率随 i 增大（10000 ** (+2i/D)），本应随 i 减小',
    # ch14.past_only_standardize
    'the test block standardised with its own mean and std: it uses the future':
        '测试段用它自己的均值和标准差标准化：用到了未来',
    'statistics of train and test together: the test block leaks into the scaler':
        '训练段和测试段合在一起算统计量：测试段泄露进了标准化器',
    'the unbiased std (ddof=1): the scaler uses ddof=0': '用了无偏标准差（ddof=1）：标准化器用的是 ddof=0',
    'statistics over axis 0 only: with windows (N, T, F) that gives one mean per time step':
        '只沿 axis 0 算统计量：对窗口 (N, T, F) 这会给每个时间步一个均值',
    'centred but not divided by the std': '只去了中心化，没有除以标准差',
    'one mean and std over all features together': '所有特征合起来只算一个均值和标准差',
    # ch14.ic_and_t
    't = r sqrt(n): the n - 2 and the sqrt(1 - r^2) are missing': 't = r sqrt(n)：漏了 n - 2 和 sqrt(1 - r^2)',
    'the denominator sqrt(1 - r^2) is missing': '漏了分母 sqrt(1 - r^2)',
    'n - 1 degrees of freedom where a correlation leaves n - 2': '自由度用了 n - 1，而相关系数留下的是 n - 2',
    'the regression slope (cov / var(target)), not the correlation': '回归斜率（cov / var(target)），而不是相关系数',
    '1 - r^2 without its square root': '1 - r^2 没有开平方根',
    "the rank (Spearman) correlation: the pooled IC here is Pearson's":
        '秩相关（Spearman）：这里的合并 IC 是 Pearson 相关',
    # ch15.batch_standardize
    'per row (axis 1): each sample across its features': '按行（axis 1）：每个样本在它的各特征之间标准化',
    'ddof=1: the unbiased std': 'ddof=1：无偏标准差',
    'the mean is not subtracted': '没有减去均值',
    'one mean and std for the whole batch, not per column': '整个批次只算一个均值和标准差，而不是每列一个',
    'divided by the variance': '除以了方差',
    'mean minus x': '写成了均值减 x',
    # ch15.ewma_z
    "the statistics updated with today before today's z: today leaks into its own scale":
        '在算今天的 z 之前就用今天的数据更新了统计量：今天泄露进了它自己的尺度',
    'a = 1 / halflife: that is a span, not a half-life (a = 1 - 2^(-1/h))':
        'a = 1 / halflife：那是跨度（span），不是半衰期（a = 1 - 2^(-1/h)）',
    'one warm-up day too few (NaN for the first halflife - 1 days)': '预热少了一天（前 halflife - 1 天为 NaN）',
    "no warm-up: the first days' z-scores rest on almost no history": '没有预热：最初几天的 z 分数几乎没有历史可依',
    'divided by the variance, not its square root': '除以方差，而不是它的平方根',
    'm - x instead of x - m': '用了 m - x 而不是 x - m',
    # ch16.bonferroni_line
    'one-sided: a two-sided test puts 0.05 / (2 m) in each tail': '单侧：双侧检验在每一侧各放 0.05 / (2 m)',
    'the m tests are ignored (1.96 for every m)': '忽略了 m 次检验（每个 m 都用 1.96）',
    'the lower tail: the line comes out negative': '用了下尾：线是负的',
    'alpha times m instead of alpha / m': 'alpha 乘以 m，而不是 alpha / m',
    "Sidak's correction, not Bonferroni's": 'Sidak 校正，而不是 Bonferroni 校正',
    'm + 1 tests': 'm + 1 次检验',
    # ch16.monthly_ic
    'the correlation of each asset over time (axis 0), not across assets each month':
        '每个资产沿时间（axis 0）的相关系数，而不是每个月在资产之间的',
    "not demeaned: the month's market move stays in": '没有去均值：当月的市场整体涨跌还留在里面',
    'one pooled correlation repeated': '一个合并的相关系数重复了多次',
    'the covariance, not the correlation': '协方差，而不是相关系数',
    'averaged to one number: the IC per month has shape (D,)': '平均成了一个数：每月的 IC 形状应为 (D,)',
    # ch16a.round_trip
    'the commission on one side only': '佣金只算了一边',
    'the stamp duty on both sides: it is charged on the sell only': '印花税两边都收了：它只在卖出时收取',
    'min instead of max: 5 CNY is a floor': '用了 min 而不是 max：5 元是下限',
    'the transfer fee is missing': '漏了过户费',
    'in percent, not basis points': '用百分比表示，而不是基点',
    'the 5 CNY minimum is ignored': '忽略了 5 元的最低佣金',
    # ch16a.main_board_limits
    "Python's round on a binary float: 1.15 x 1.1 is stored as 1.26499999..., so a halfway price rounds down":
        'Python 的 round 作用在二进制浮点数上：1.15 x 1.1 存储为 1.26499999...，所以恰在中间的价格被舍掉了',
    'the ST flag is ignored (ST stocks move 5%)': '忽略了 ST 标记（ST 股票的涨跌幅是 5%）',
    'truncated to the cent, not rounded': '截断到分，而不是四舍五入',
    '(lower, upper): swapped': '(lower, upper)：顺序反了',
    'not rounded to 0.01 CNY': '没有四舍五入到 0.01 元',
    '20% for ST: that is the ChiNext/STAR board limit': 'ST 用了 20%：那是创业板/科创板的涨跌幅限制',
    # ch17.relu_net_gradient
    "the seed's bug: the first layer's weights alone, the second layer left out":
        '原始代码里的 bug：只有第一层的权重，第二层被漏掉了',
    'no ReLU mask: the units that are off pass gradient too': '没有 ReLU 掩码：关闭的单元也让梯度通过了',
    "W1 transposed: the first layer's rows are its units": 'W1 被转置了：第一层的行是它的单元',
    "the kink counted as on (>= 0): the ReLU's gradient at 0 is 0": '拐点算作开启（>= 0）：ReLU 在 0 处的梯度是 0',
    "the other output's weights (row 1 - k)": '用了另一个输出的权重（第 1 - k 行）',
    'gradient times input: that is the attribution, not the gradient': '梯度乘以输入：那是归因，不是梯度',
    # ch17.ic_correlation
    'the NaN months are not dropped: the result is NaN': '没有去掉 NaN 月份：结果是 NaN',
    "only ic_a's NaN months dropped": '只去掉了 ic_a 的 NaN 月份',
    'NaN months filled with 0: they count as months with no skill': 'NaN 月份填成了 0：它们被当作没有预测能力的月份',
    "each series' NaNs dropped on its own: the months no longer line up": '两个序列各自去掉自己的 NaN：月份不再对齐',
    # playground.count_dead
    'points (rows) counted, not units (columns)': '数的是点（行），而不是单元（列）',
    'any instead of all: a unit that is 0 for one point is not dead':
        '用了 any 而不是 all：某个点上输出为 0 的单元并不算死亡',
    'zero entries counted, not units': '数的是零元素，而不是单元',
    "< 0: a ReLU's output is never negative, a dead unit outputs exactly 0":
        '< 0：ReLU 的输出永远不为负，死亡单元的输出恰好是 0',
    'the fraction of dead units, not their number': '给出的是死亡单元的比例，而不是个数',
    'the live units counted': '数的是存活的单元',
    # playground.crosses
    'stacked as rows: (5, n), not (n, 5)': '按行堆叠：得到 (5, n)，而不是 (n, 5)',
    'cos instead of sin': '用了 cos 而不是 sin',
    'x1 and x2 swapped (the columns in the wrong order)': 'x1 与 x2 对调了（列的顺序错了）',
    'x1 + x2 where the product belongs': '应该是乘积的地方用了 x1 + x2',
    '2 x instead of x^2': '用了 2 x 而不是 x^2',
    'x[0], x[1] are the first two points, not the two coordinates x[:, 0], x[:, 1]':
        'x[0]、x[1] 是前两个点，而不是两个坐标 x[:, 0]、x[:, 1]',
    # ch03b.loss_and_grads
    "softmax without subtracting the row's maximum: exp overflows on large logits (NaN)":
        'softmax 没有减去每行的最大值：logit 很大时 exp 溢出（NaN）',
    'dz = p - Y without the 1/N of the mean loss': 'dz = p - Y 漏了均值损失的 1/N',
    "tanh'(a) written 1 - h instead of 1 - h^2": "tanh'(a) 写成了 1 - h，而不是 1 - h^2",
    "tanh' is missing from the hidden layer's gradient": "隐藏层的梯度里漏了 tanh'",
    'the loss is summed over the samples, not averaged': '损失对样本求了和，而不是取平均',
    'Y - p instead of p - Y: every gradient has the wrong sign': '用了 Y - p 而不是 p - Y：每个梯度的符号都反了',
    'the bias gradients average over the samples (the 1/N is already in dz)':
        '偏置梯度对样本取了平均（1/N 已经在 dz 里）',
    # ch03b.adam_update
    'no bias correction: the rate is lr at every step': '没有偏差修正：每一步的学习率都是 lr',
    'the step count is not advanced (t used before adding 1)': '步数没有递增（t 在加 1 之前就用了）',
    'epsilon inside the square root': 'epsilon 放在了平方根里面',
    'the first moment without the (1 - beta_1) weight': '一阶矩漏了 (1 - beta_1) 权重',
    '|g| instead of g^2 in the second moment': '二阶矩用了 |g| 而不是 g^2',
    'params + step: the update climbs the loss': 'params + step：更新让损失上升',
    # ch03b.fit
    "Adam's state is started afresh at every step (m, v and t are never carried)":
        '每一步都重新初始化 Adam 的状态（m、v 和 t 从未传下去）',
    "each loss is recorded after its step's update, not before": '每个损失都在这一步更新之后才记录，而不是之前',
    'the gradients are computed once, before the loop, and never again': '梯度只在循环之前算了一次，之后再没算过',
    'one update too many (steps + 1)': '多更新了一次（steps + 1）',
    'the learning rate argument is ignored (0.001 used)': '忽略了学习率参数（用的是 0.001）',
    'the weights adam_update returns are never assigned: nothing trains':
        'adam_update 返回的权重没有存回去：什么都没训练',
    # ch08a.he_normal
    "variance 1 / fan_in: LeCun's, made for SELU, not ReLU":
        '方差 1 / fan_in：那是 LeCun 初始化，为 SELU 设计，不是为 ReLU',
    "variance 2 / (fan_in + fan_out): Glorot's": '方差 2 / (fan_in + fan_out)：那是 Glorot 初始化',
    '2 / fan_in used as the standard deviation (the square root is missing)':
        '把 2 / fan_in 当成了标准差（漏了平方根）',
    'fan_out instead of fan_in': '用了 fan_out 而不是 fan_in',
    'a uniform draw (He uniform), not a normal one': '均匀分布抽样（He 均匀初始化），而不是正态分布',
    'shape (fan_out, fan_in): a kernel is (inputs, units)': '形状 (fan_out, fan_in)：权重矩阵是 (inputs, units)',
    # ch08a.layernorm_forward
    'statistics over the batch (axis 0): that is BatchNormalization':
        '沿批次（axis 0）算统计量：那是 BatchNormalization',
    'the sample variance (ddof=1); layer normalization divides by D': '用了样本方差（ddof=1）；层归一化除以 D',
    'gamma and beta left out': '漏了 gamma 和 beta',
    # ch08a.layernorm_backward
    'dx = dy gamma / s: the paths through the mean and the variance are missing':
        'dx = dy gamma / s：漏了经过均值和方差的路径',
    'the path through the variance (- xhat mean(dxhat xhat)) is missing':
        '漏了经过方差的路径（- xhat mean(dxhat xhat)）',
    "means over the batch (axis 0): BatchNormalization's backward":
        '沿批次取均值（axis 0）：那是 BatchNormalization 的反向传播',
    'gamma is missing from dxhat = dy gamma': 'dxhat = dy gamma 里漏了 gamma',
    'dgamma not summed over the samples': 'dgamma 没有对样本求和',
    'dgamma = sum(dy): the xhat factor is missing': 'dgamma = sum(dy)：漏了 xhat 因子',
    # ch08a.block_backward
    'the skip path is missing: dx must add dy itself': '漏了跳跃路径：dx 必须加上 dy 本身',
    'the ReLU mask taken from the normalized input u, not from the pre-activation a':
        'ReLU 掩码取自归一化后的输入 u，而不是预激活值 a',
    "the ReLU's mask is missing": '漏了 ReLU 的掩码',
    'du = da W: W^T is needed': 'du = da W：需要的是 W^T',
    "dW = da^T u: the kernel's gradient transposed": 'dW = da^T u：权重矩阵的梯度被转置了',
    "the layer normalization's backward is skipped (treated as the identity)":
        '跳过了层归一化的反向传播（当成了恒等映射）',
    'dc averaged over the samples instead of summed': 'dc 对样本取了平均而不是求和',
    # part3.lstm_step_backward
    "tanh'(c_t) written 1 - c_t^2: c_t is no tanh output, tanh'(c_t) = 1 - tanh(c_t)^2":
        "tanh'(c_t) 写成了 1 - c_t^2：c_t 不是 tanh 的输出，tanh'(c_t) = 1 - tanh(c_t)^2",
    'dc forgets the path through h_t = o tanh(c_t)': 'dc 漏掉了经过 h_t = o tanh(c_t) 的路径',
    'the gradient arriving along the cell from step t + 1 (dc_next) is left out':
        '漏了沿细胞状态从第 t + 1 步传来的梯度（dc_next）',
    "dc_prev = dc: the forget gate's factor f is missing": 'dc_prev = dc：漏了遗忘门的因子 f',
    "gates concatenated as i, f, o, c: Keras's order is i, f, c, o": '门按 i, f, o, c 拼接：Keras 的顺序是 i, f, c, o',
    "the output gate's gradient uses c_t instead of tanh(c_t)": '输出门的梯度用了 c_t，而不是 tanh(c_t)',
    'dh_prev = da W: W^T is needed': 'dh_prev = da W：需要的是 W^T',
    'db averaged over the samples instead of summed': 'db 对样本取了平均而不是求和',
    # part3.lstm_bptt
    'the loop stops before t = 0 (range(T - 1, 0, -1)): the first step gets no gradient':
        '循环在 t = 0 之前就停了（range(T - 1, 0, -1)）：第一步得不到梯度',
    'dh_prev from step t + 1 is not added: each step sees only its own dL/dh_t':
        '没有加上来自第 t + 1 步的 dh_prev：每一步只看到它自己的 dL/dh_t',
    "the cell's gradient dc_prev is not carried to the step before": '细胞状态的梯度 dc_prev 没有传到前一步',
    "dU, dW, db keep only the first step's share: they must be summed over every step":
        'dU、dW、db 只保留了第一步的份额：它们必须对每一步求和',
    'the loop runs forward in time: backpropagation starts at the last step':
        '循环沿时间正向运行：反向传播要从最后一步开始',
    'dx stored in reversed time order': 'dx 按时间逆序存放',
    # part4.expanding_zscore
    'look-ahead: the mean and std of the whole sample, future months included':
        '未来函数：用了整个样本的均值和标准差，包括未来的月份',
    'the current month is in its own mean and std (x[:t+1] instead of x[:t])':
        '当月被算进了它自己的均值和标准差（用了 x[:t+1] 而不是 x[:t]）',
    'a rolling window of min_periods months instead of all the past': '用了 min_periods 个月的滚动窗口，而不是全部过去',
    "standardised across the assets of each month instead of over each asset's past":
        '在每个月的各资产之间标准化，而不是沿每个资产的过去',
    "the std with ddof=1: the book's scalers divide by n (ddof=0)": '标准差用了 ddof=1：书中的标准化器除以 n（ddof=0）',
    'NaN months not skipped: one hole spoils every later month of that asset':
        '没有跳过 NaN 月份：一个空洞会毁掉该资产之后的每个月',
    'min_periods ignored: early months are scaled with too few past values':
        '忽略了 min_periods：早期月份用太少的历史值来缩放',
    # part4.rank_ic
    "ranked over time (down each asset's column) instead of across the assets of each month":
        '沿时间排序（每个资产的那一列），而不是在每个月的各资产之间排序',
    'the Pearson correlation of the raw values: the rank IC ranks both sides first':
        '原始值的 Pearson 相关：秩 IC 要先把两边都排序',
    'only the scores ranked, the returns left raw': '只对得分排序，收益还是原始值',
    'one correlation over the whole panel instead of one per month': '整个面板只算一个相关系数，而不是每月一个',
    'one IC per asset (a correlation over time) instead of one per month':
        '每个资产一个 IC（沿时间的相关系数），而不是每月一个',
    'ranks taken before the assets with a NaN are dropped': '在去掉含 NaN 的资产之前就排了序',
    'a month with only two assets gives +-1 instead of NaN (fewer than 3)':
        '只有两个资产的月份得到 +-1，而不是 NaN（少于 3 个）',
    # part4.walk_forward_splits
    'the gap is ignored: training runs up to the day before the test, whose label it already knows':
        '忽略了间隔：训练一直到测试前一天，而那一天的标签它已经知道了',
    'off by one: the training block keeps one date too many, inside the gap or the test':
        '差了一位：训练段多留了一个日期，落在间隔或测试段里',
    'an expanding window from date 0: the assignment asks for a rolling window of train_size dates':
        '从日期 0 开始的扩展窗口：题目要求的是 train_size 个日期的滚动窗口',
    'the window moves one date per fold: the test blocks overlap': '窗口每折只移动一个日期：测试段互相重叠',
    'the last fold is dropped (stop at n_dates - test_size instead of n_dates - test_size + 1)':
        '丢掉了最后一折（在 n_dates - test_size 处停止，而不是 n_dates - test_size + 1）',
    'the test block starts one date early, inside the gap or on the last training date':
        '测试段早了一个日期开始，落在间隔里或最后一个训练日期上',
    # part4.ic_t_verdict
    'std / n instead of std / sqrt(n)': '用了 std / n 而不是 std / sqrt(n)',
    'mean / std is the ICIR: the t-statistic multiplies it by sqrt(n)': 'mean / std 是 ICIR：t 统计量要再乘以 sqrt(n)',
    'the std with ddof=0: a standard error uses ddof=1': '标准差用了 ddof=0：标准误要用 ddof=1',
    'the NaN months are not dropped: t is NaN': '没有去掉 NaN 月份：t 是 NaN',
    'n counts the NaN months too': 'n 把 NaN 月份也算进去了',
    'the line for one try (1.96): k tries need bonferroni_t(k)':
        '用的是只试一次的线（1.96）：试了 k 次需要 bonferroni_t(k)',
    't > line misses a factor that works backwards: the test is two-sided, |t| > line':
        't > line 漏掉了反向有效的因子：检验是双侧的，|t| > line',
}

NOTES = {
    # ch01.neuron_output
    'the four corners, unequal weights': '四个角，权重不相等',
    'seven random points': '七个随机点',
    'one point': '一个点',
    # ch01.predict_class
    "AND's line": 'AND 的直线',
    'two points exactly on the line, w.x + b = 0': '两个点恰好在直线上，w.x + b = 0',
    'random points, unequal weights': '随机点，权重不相等',
    'a point on the line': '一个在直线上的点',
    # ch01.perceptron
    'AND, 2 epochs': 'AND，2 个轮次',
    'OR, 1 epoch': 'OR，1 个轮次',
    '8 random points': '8 个随机点',
    'a line through the origin': '一条过原点的直线',
    # ch02.sigmoid_grad
    'includes z = 0': '包含 z = 0',
    # ch02.hidden_delta
    "the chapter's 2-3-2 shapes": '本章的 2-3-2 形状',
    'a square W2, not symmetric': '一个方阵 W2，不对称',
    # ch02.net_backward
    "the chapter's 2-3-2 network": '本章的 2-3-2 网络',
    'three outputs': '三个输出',
    # ch02a.softmax
    'a logit of 1000': 'logit 为 1000',
    'a tie': '并列最大',
    'two classes': '两个类别',
    # ch02a.output_delta
    'squared_error': 'squared_error',
    'binary_ce': 'binary_ce',
    'softmax_ce': 'softmax_ce',
    # ch02a.softmax_ce
    'logits above 709: exp overflows': 'logit 超过 709：exp 溢出',
    "a lead of 800: the other classes' probabilities underflow to 0": '领先 800：其他类别的概率下溢为 0',
    # ch02b.mul_backward
    'scalars': '标量',
    # ch02b.tanh_local
    'includes t = 0': '包含 t = 0',
    # ch03.sgd_step
    'a kernel and a bias': '一个权重矩阵和一个偏置',
    'three arrays': '三个数组',
    # ch03.clip_by_norm
    'norm 13, threshold 1: rescaled': '范数 13，阈值 1：要缩放',
    'norm 13, threshold 100: unchanged': '范数 13，阈值 100：不变',
    'norm exactly at the threshold': '范数恰好等于阈值',
    'random, rescaled': '随机，要缩放',
    'random, unchanged': '随机，不变',
    # ch03.train_loop
    '10 points in batches of 4: the last has 2': '10 个点，每批 4 个：最后一批只有 2 个',
    'one full batch': '一个完整的批次',
    # ch03a.momentum_step
    'the first step, v = 0': '第一步，v = 0',
    # ch03a.adam_step
    'step t = 3': '第 t = 3 步',
    'step t = 1': '第 t = 1 步',
    'step t = 10': '第 t = 10 步',
    'tiny gradients, where eps matters': '极小的梯度，这时 eps 起作用',
    # ch04.dense_forward
    '(N, T, D) windows': '(N, T, D) 的窗口',
    'a square kernel': '一个方的权重矩阵',
    'one unit': '一个单元',
    # ch04.dense_backward
    'one step, a square kernel': '一个时间步，方的权重矩阵',
    # ch04.binary_crossentropy
    'a column of 50': '一列 50 个',
    'three points': '三个点',
    # ch05.upsample1d
    'one channel': '一个通道',
    # ch05.conv1d_backward
    'kernel size 2': '卷积核大小 2',
    'one channel in and out': '输入输出各一个通道',
    # ch06.dropout_forward
    'rate 0.5, three axes': 'rate 0.5，三个轴',
    'rate 0.1': 'rate 0.1',
    # ch06.penalty_grads
    'weights exactly 0 (|w| has slope 0 there)': '权重恰好为 0（|w| 在那里的斜率是 0）',
    # ch06.early_stopping
    'a dip after the stop': '停止之后出现回落',
    'a new best resets the count': '新的最好值会重置计数',
    'a tie with the best is no improvement': '与最好值持平不算改进',
    'never stops early': '从不提前停止',
    'a random walk': '一条随机游走',
    # ch07.embedding_forward
    'the first and the last id, repeated': '第一个和最后一个 id，有重复',
    # ch07.embedding_backward
    '200 ids from 30: many repeats': '从 30 个 id 中取 200 个：大量重复',
    'id 2 four times, ids 1, 3, 4 never': 'id 2 出现四次，id 1、3、4 从未出现',
    # ch08.residual_backward
    'a sigmoid branch': 'sigmoid 分支',
    'a tanh branch': 'tanh 分支',
    'a linear branch': '线性分支',
    # ch08.batchnorm_train
    'a square-ish batch': '一个接近方形的批次',
    'a channel with a tiny variance, where epsilon matters': '某个通道的方差极小，这时 epsilon 起作用',
    # ch08.batchnorm_backward
    'four channels': '四个通道',
    # ch09.rnn_step
    'D = H': 'D = H',
    # ch09.bptt_step
    'K = H': 'K = H',
    # ch09.rnn_backward
    'a short sequence': '一条短序列',
    'one feature': '一个特征',
    # ch11.causal_conv
    'k = 3, d = 2': 'k = 3, d = 2',
    'k = 2, d = 3': 'k = 2, d = 3',
    'k = 4, no dilation': 'k = 4，没有空洞',
    # ch11.receptive_field
    "the chapter's stack": '本章的堆叠',
    'kernel sizes that differ': '各层卷积核大小不同',
    'one layer': '一层',
    'dilations that shrink': '递减的空洞率',
    # attn.scores
    'Tq = Tv': 'Tq = Tv',
    'one query': '一个查询',
    # attn.causal_mask
    'one step': '一步',
    # attn.attend_backward
    'Tq = Tv, D = Dv': 'Tq = Tv, D = Dv',
    # ch14.past_only_standardize
    'rows of features': '每行一组特征',
    'windows (N, T, F)': '窗口 (N, T, F)',
    'a test block as long as the training block': '测试段与训练段一样长',
    # ch14.ic_and_t
    'a weak IC': '较弱的 IC',
    'a negative IC': '负的 IC',
    'few days': '天数很少',
    # ch15.batch_standardize
    'B = F': 'B = F',
    # ch15.ewma_z
    'halflife 10': 'halflife 10',
    'halflife 3': 'halflife 3',
    # ch16.bonferroni_line
    'one test: 1.96': '一次检验：1.96',
    # ch16.monthly_ic
    'a market move each month': '每个月都有市场整体涨跌',
    'more months than assets': '月份数多于资产数',
    # ch16a.round_trip
    'the minimum commission exactly binding': '最低佣金恰好起作用',
    'a small trade: the 5 CNY minimum': '小额交易：5 元最低佣金',
    'a large trade, the old stamp duty': '大额交易，旧的印花税',
    # ch16a.main_board_limits
    'ST: 5%, a price halfway between two cents': 'ST：5%，价格恰在两分之间',
    '10.989: rounds to 10.99': '10.989：四舍五入为 10.99',
    '13.585: halfway': '13.585：恰在中间',
    '1.265 and 1.035: halfway, stored a hair below in binary': '1.265 和 1.035：恰在中间，二进制存储时略小一点',
    # ch17.relu_net_gradient
    "the seed's input": '原始代码的输入',
    'another pattern of units on': '另一种单元开启的模式',
    'every unit on its kink (z = 0 counts as off)': '每个单元都在拐点上（z = 0 算作关闭）',
    # ch17.ic_correlation
    'NaN at [0, 1, 2] and [0, 1, 2]': 'NaN 位于 [0, 1, 2] 和 [0, 1, 2]',
    'NaN at [3, 9] and [5, 20, 21]': 'NaN 位于 [3, 9] 和 [5, 20, 21]',
    'NaN at [] and [0]': 'NaN 位于 [] 和 [0]',
    'NaN at [7] and []': 'NaN 位于 [7] 和 []',
    # playground.count_dead
    '3 points, 4 units': '3 个点，4 个单元',
    '50 points, 6 units': '50 个点，6 个单元',
    'more units than points': '单元多于点',
    'none dead': '没有死亡单元',
    # playground.crosses
    'exact points': '精确的点',
    # ch03b.loss_and_grads
    "the spiral's shapes: 2 inputs, 3 classes": '螺旋数据的形状：2 个输入，3 个类别',
    'logits near 800: exp overflows without the max shift': 'logit 接近 800：不减去最大值 exp 就会溢出',
    # ch03b.adam_update
    'the first step, t = 0 and zero moments': '第一步，t = 0，矩为零',
    'step 6': '第 6 步',
    'step 41': '第 41 步',
    # ch03b.fit
    '5 steps': '5 步',
    '3 steps at a high rate': '高学习率下的 3 步',
    # ch08a.he_normal
    '8 inputs, 16 units': '8 个输入，16 个单元',
    'more inputs than units: fan_in and fan_out differ': '输入多于单元：fan_in 与 fan_out 不同',
    # ch08a.layernorm_forward
    '4 samples, 6 features': '4 个样本，6 个特征',
    "one sample: the statistics are the row's own": '一个样本：统计量就是这一行自己的',
    # ch08a.block_backward
    '5 samples, width 4': '5 个样本，宽度 4',
    # part3.lstm_step_backward
    '3 samples, 2 inputs, 4 units': '3 个样本，2 个输入，4 个单元',
    # part3.lstm_bptt
    'one sample, one feature, 7 steps': '一个样本，一个特征，7 步',
    # part4.expanding_zscore
    '30 months, 4 assets, drifting': '30 个月，4 个资产，带漂移',
    'NaN holes': '有 NaN 空洞',
    'one asset': '一个资产',
    # part4.rank_ic
    '8 months, 11 assets': '8 个月，11 个资产',
    'NaN holes; month 3 has two assets': '有 NaN 空洞；第 3 个月只有两个资产',
    'a factor that works backwards': '一个反向有效的因子',
    # part4.walk_forward_splits
    '20 months, train 6, test 3, gap 1': '20 个月，训练 6，测试 3，间隔 1',
    'gap 2': '间隔 2',
    'no gap; the last test block ends on the last date': '没有间隔；最后一个测试段结束于最后一个日期',
    'one date left over at the end': '末尾多出一个日期',
    # part4.ic_t_verdict
    't = 2.3, one try: significant': 't = 2.3，只试一次：通过检验',
    't = 2.3 after 10 tries: not significant; two NaN months': 't = 2.3，试了 10 次：未通过检验；两个 NaN 月份',
    't = -3 (a factor that works backwards), 3 tries': 't = -3（一个反向有效的因子），试了 3 次',
}
