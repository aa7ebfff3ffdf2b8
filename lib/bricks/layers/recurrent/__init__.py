"""The recurrent family: the step functions the book teaches (`steps`), their fused fast path
(`fused`), the shared layer machinery (`base`), the layers (`rnn`: SimpleRNN, LSTM, GRU) and the
Bidirectional wrapper (`bidirectional`)."""
from bricks.layers.recurrent.bidirectional import *  # noqa: F403
from bricks.layers.recurrent.rnn import *  # noqa: F403
