"""Every layer of bricks, one family a module; all of them importable from `bricks.layers`."""
from bricks.layers.base import Layer as Layer  # re-exported
from bricks.layers.core import *  # noqa: F403  Input, Dense, Activation
from bricks.layers.conv import *  # noqa: F403  Conv1D/2D/3D, Conv2DTranspose
from bricks.layers.pooling import *  # noqa: F403  Max/AveragePooling1D/2D/3D
from bricks.layers.reshaping import *  # noqa: F403  Flatten, Reshape, Cropping, UpSampling, ZeroPadding
from bricks.layers.noise import *  # noqa: F403  Dropout, AlphaDropout, GaussianDropout, GaussianNoise
from bricks.layers.embedding import *  # noqa: F403  Embedding
from bricks.layers.normalization import *  # noqa: F403  BatchNormalization, LayerNormalization
from bricks.layers.residual import *  # noqa: F403  Residual
from bricks.layers.recurrent.rnn import *  # noqa: F403  SimpleRNN, LSTM, GRU
from bricks.layers.recurrent.bidirectional import *  # noqa: F403  Bidirectional
from bricks.layers.attention import *  # noqa: F403  Attention, AdditiveAttention
from bricks.layers.multi_head_attention import *  # noqa: F403  MultiHeadAttention
from bricks.layers.positional import *  # noqa: F403  SinePositionEncoding, PositionEmbedding
from bricks.layers.transformer import *  # noqa: F403  TransformerEncoder
