"""Every layer of bricks, one family a module; all of them importable from `bricks.layers`."""
from .base import Layer
from .core import *  # noqa: F401,F403  Input, Dense, Activation
from .conv import *  # noqa: F401,F403  Conv1D/2D/3D, Conv2DTranspose
from .pooling import *  # noqa: F401,F403  Max/AveragePooling1D/2D/3D
from .reshaping import *  # noqa: F401,F403  Flatten, Reshape, Cropping, UpSampling, ZeroPadding
from .noise import *  # noqa: F401,F403  Dropout, AlphaDropout, GaussianDropout, GaussianNoise
from .embedding import *  # noqa: F401,F403  Embedding
from .normalization import *  # noqa: F401,F403  BatchNormalization, LayerNormalization
from .residual import *  # noqa: F401,F403  Residual
from .recurrent import *  # noqa: F401,F403  SimpleRNN, LSTM, GRU, Bidirectional
