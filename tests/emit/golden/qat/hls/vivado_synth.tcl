# vivado_synth.tcl -- logic synthesis of qat's exported RTL with Vivado
# (run by build_prj.tcl with vsynth=1, or: vivado -mode batch -source vivado_synth.tcl).
set project_name "qat"
set part "xcu250-figd2104-2L-e"
add_files qat_prj/solution1/syn/verilog
synth_design -top ${project_name} -part $part
report_utilization -file vivado_synth.rpt
report_timing_summary -file vivado_timing.rpt
