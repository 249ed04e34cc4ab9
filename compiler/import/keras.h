/* keras.h — `aedlc import`: a Keras / QKeras model (the JSON of
 * model.to_json() with the HDF5 of save_weights(), or the single HDF5 of
 * model.save()) into a .aedl file and an aedl weights file (docs/import.md).
 */
#ifndef AEDL_KERAS_H
#define AEDL_KERAS_H

/* argv[0] is "import".  Returns the exit status: 0, 1 (bad input), 2 (usage). */
int keras_import_main(int argc, char **argv);

#endif
