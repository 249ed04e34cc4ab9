# blocks.sh -- sourced by the tests/import scripts that train a small model of their own:
# `blocks MODEL` prints its data, train and target blocks (the generated ADC2021-format
# events in $W/data, 2 epochs, bit_exact), to follow the model block in the .aedl file.
blocks() {
  cat <<EOF
data gen {
  train  = hdf5("data/background_for_training.h5", "Particles")
  signal Ato4l = hdf5("data/Ato4l_lepFilter_13TeV.h5", "Particles")
  features = [0:3]
  flatten  = true
  validation = 0.2
  test       = 0.2
  scale    = none
  seed     = 3
}

train {
  model     = $1
  data      = gen
  loss      = mse
  optimizer = adam(lr=1e-3)
  epochs    = 2
  batch     = 256
  score     = mse
  metrics   = [auc]
}

target fpga {
  part         = "xcu250-figd2104-2L-e"
  clock_period = 5
  precision    = bit_exact
}
EOF
}
