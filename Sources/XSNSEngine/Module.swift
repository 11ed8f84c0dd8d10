import CBLAS
// XSNSEngine: checkpoints, the encoder's forward/backward, masking and Fisher estimation.
