#!/bin/sh
# ROOT files through the language: examples/cms_opendata.aedl trains on the
# shared NanoAOD slice from the .aedl alone; --write-data writes the selected
# events with named columns; summary.json records the files and the selection;
# errors in the data block and in the files name the thing and the file.
. tests/lib.sh
test_workdir root_flow
NANO=$PWD/../shared/testdata/root/nanoAOD_2015_CMS_Open_Data_ttbar.root

# ---- the example trains (a few epochs)
"$AEDLC" run examples/cms_opendata.aedl -o "$W/cms" -- --epochs 3 --quiet > "$W/run.out" 2> "$W/run.err"; st=$?
check cms_example_runs "exit $st: $(head -c 400 "$W/run.err")" test "$st" -eq 0
check cms_example_history "history.csv: $(cat "$W/cms/history.csv" 2>/dev/null | head -5)" \
  test "$(grep -c '^[0-9]' "$W/cms/history.csv" 2>/dev/null)" -eq 3
check cms_example_summary_records_selection "$(grep -A3 '"data"' "$W/cms/eval/summary.json" 2>/dev/null | head -c 300)" \
  sh -c "grep -q '\"kind\": \"root\"' '$W/cms/eval/summary.json' && grep -q 'nanoAOD_2015_CMS_Open_Data_ttbar.root' '$W/cms/eval/summary.json' && grep -q '\"kind\": \"FatJet\", \"n\": 6' '$W/cms/eval/summary.json'"
check cms_example_firmware "no hls/ folder" test -d "$W/cms/hls"

# ---- --write-data: CSV and HDF5, named columns
T=$W/cms/train/cms_ae_train
"$T" --write-data "$W/sel.csv" -q > "$W/wd.out" 2>&1; st=$?
check write_data_csv_runs "exit $st: $(cat "$W/wd.out")" test "$st" -eq 0
hdr=$(head -n 1 "$W/sel.csv")
check write_data_csv_columns "header: $(echo "$hdr" | head -c 200)" \
  sh -c "[ \"\$(echo '$hdr' | tr ',' '\n' | wc -l)\" -eq 42 ] && echo '$hdr' | grep -q '^FatJet_0_pt,FatJet_0_eta,FatJet_0_phi,FatJet_1_pt' && echo '$hdr' | grep -q 'Muon_3_pt,Muon_3_eta,Muon_3_phi\$'"
check write_data_csv_events "$(wc -l < "$W/sel.csv") lines" test "$(wc -l < "$W/sel.csv")" -eq 201
# The count branches of the slice sum to 41 muons and 69 electrons (tests/data/test_root
# checks them against the jagged lengths); no event has more than 4 of either,
# so every muon and electron appears once, as a non-zero pT.
mu=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^Muon_[0-9]_pt$/) m[i] = 1; next }
              { for (i in m) if ($i != 0) n++ } END { print n + 0 }' "$W/sel.csv")
el=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^Electron_[0-9]_pt$/) m[i] = 1; next }
              { for (i in m) if ($i != 0) n++ } END { print n + 0 }' "$W/sel.csv")
check write_data_csv_objects "muons $mu (want 41), electrons $el (want 69)" test "$mu" -eq 41 -a "$el" -eq 69
"$T" --write-data "$W/sel.h5" -q > "$W/wd.out" 2>&1; st=$?
check write_data_h5 "exit $st: $(cat "$W/wd.out")" \
  sh -c "[ $st -eq 0 ] && h5ls '$W/sel.h5' | grep -q '^FatJet_0_pt *Dataset {200}' && h5ls '$W/sel.h5' | grep -q '^columns *Dataset {42}'"
check write_data_h5_same_values "Muon_0_pt differs from the CSV" \
  sh -c "h5dump -d Muon_0_pt -m %.9g -y -w 0 '$W/sel.h5' | sed -n '/DATA {/,/}/p' | sed '1d;\$d' | tr ', ' '\\n\\n' | grep . | awk '{ printf \"%.4f\\n\", \$1 }' > '$W/a' &&
         awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if (\$i == \"Muon_0_pt\") c = i; next } { printf \"%.4f\\n\", \$c }' '$W/sel.csv' > '$W/b' && cmp -s '$W/a' '$W/b'"

# ---- errors in the data block (compile time)
aedl() { # NAME DATA-LINES: a model reading the data block, compiled to IR
  cat > "$W/$1.aedl" <<AEDL
model m {
  input x[42] : fixed<16, 8>
  dense out(42)
}
data d {
$2
}
train { epochs = 1 }
AEDL
  "$AEDLC" "$W/$1.aedl" --emit ir > "$W/$1.out" 2> "$W/$1.err"
}
aedl unknown_source '  train = nanoaod("'"$NANO"'")'; st=$?
check lang_unknown_source "exit $st: $(cat "$W/unknown_source.err")" \
  sh -c "[ $st -eq 1 ] && grep -q 'unknown_source.aedl:6:11: error: unknown data source .nanoaod.' '$W/unknown_source.err' && grep -q 'root(path, tree = NAME)' '$W/unknown_source.err'"
aedl rooot '  train = rooot("'"$NANO"'")'; st=$?
check lang_source_did_you_mean "exit $st: $(cat "$W/rooot.err")" \
  sh -c "[ $st -eq 1 ] && grep -q \"did you mean 'root'\" '$W/rooot.err'"
aedl no_objects '  train = root("'"$NANO"'")'; st=$?
check lang_root_needs_selection "exit $st: $(cat "$W/no_objects.err")" \
  sh -c "[ $st -eq 1 ] && grep -q 'objects = ' '$W/no_objects.err'"
aedl dense_objects '  train = hdf5("x.h5", "Particles")
  objects = [Muon(4, [pt])]'; st=$?
check lang_selection_needs_jagged_source "exit $st: $(cat "$W/dense_objects.err")" \
  sh -c "[ $st -eq 1 ] && grep -q 'dense_objects.aedl:7:.*an object selection needs root' '$W/dense_objects.err'"
aedl bad_kind '  train = root("'"$NANO"'")
  objects = [Muon(0, [pt]), Jet([pt])]'; st=$?
check lang_bad_object_kind "exit $st: $(cat "$W/bad_kind.err")" \
  sh -c "[ $st -eq 1 ] && grep -q 'Muon: the number of objects kept must be from 1' '$W/bad_kind.err' && grep -q \"missing argument 'vars' to Jet\" '$W/bad_kind.err'"
aedl h5_jagged '  train = hdf5(["a.h5", "b*.h5"])
  objects = [Muon(4, [pt, eta, phi], sort = pt, pad = -1)]
  scalars = [MET_pt]
  cut = [Muon(1, pt, above = 20)]'; st=$?
check lang_hdf5_jagged_compiles "exit $st: $(cat "$W/h5_jagged.err")" \
  sh -c "[ $st -eq 0 ] && grep -q 'objects = \[Muon(4, \[pt, eta, phi\], sort = pt, pad = -1)\]' '$W/h5_jagged.out' && grep -q 'cut = \[Muon(1, pt, above = ' '$W/h5_jagged.out'"

# ---- errors in the files (run time): the training program names the file and the thing
sed -e 's|tree = "Events"|tree = "Evnts"|' -e 's|"\.\./\.\./shared/|"'"$PWD"'/../shared/|' examples/cms_opendata.aedl > "$W/tree.aedl"
"$AEDLC" run "$W/tree.aedl" -o "$W/tree" -- --quiet > "$W/tree.out" 2> "$W/tree.err"; st=$?
check run_missing_tree "exit $st: $(head -c 400 "$W/tree.err")" \
  sh -c "[ $st -eq 1 ] && grep -q \"nanoAOD_2015_CMS_Open_Data_ttbar.root: no tree 'Evnts'; the file holds the trees 'Events'\" '$W/tree.err'"
sed -e 's|Muon(4, \[pt, eta, phi\])|Muon(4, [pt, eta, phii])|' -e 's|"\.\./\.\./shared/|"'"$PWD"'/../shared/|' examples/cms_opendata.aedl > "$W/br.aedl"
"$AEDLC" run "$W/br.aedl" -o "$W/br" -- --quiet > "$W/br.out" 2> "$W/br.err"; st=$?
check run_missing_branch "exit $st: $(head -c 400 "$W/br.err")" \
  sh -c "[ $st -eq 1 ] && grep -q \"no branch 'Muon_phii' (a variable of object kind 'Muon'); did you mean 'Muon_phi'?\" '$W/br.err'"

# ---- a glob of files is one data set; a signal read with the same selection
cat > "$W/glob.aedl" <<AEDL
model m {
  input x[6] : fixed<16, 8>
  dense out(6)
}
data d {
  train = root("$PWD/../shared/testdata/root/uproot-HZZ-*.root", tree = "events")
  signal zz = root(["$PWD/../shared/testdata/root/uproot-HZZ.root"], tree = "events")
  objects = [Muon(2, [Px, Py, Pz], sort = Px)]
  cut = [Muon(1)]
  flatten = true
}
train {
  epochs = 1
  batch = 256
  metrics = [auc]
}
AEDL
"$AEDLC" run "$W/glob.aedl" -o "$W/glob" -- > "$W/glob.out" 2> "$W/glob.err"; st=$?
# 5 files of 2421 events; events with at least one muon: the cut keeps the same per file
check glob_and_signal_run "exit $st: $(tail -n 3 "$W/glob.err")" test "$st" -eq 0
check glob_five_files "$(grep -c 'events read' "$W/glob.err") file lines" test "$(grep -c 'data train: .*uproot-HZZ-.*events read' "$W/glob.err")" -eq 5
n1=$(grep 'data zz: ' "$W/glob.err" | sed 's/.*read, \([0-9]*\) kept/\1/')
nt=$(grep '^data: ' "$W/glob.err" | sed 's/^data: \([0-9]*\) events.*/\1/')
check glob_events_five_times_one_file "train $nt, signal $n1" test -n "$n1" -a "$nt" = "$((5 * n1))"
