# Stand-ins for the Vivado and Vivado HLS commands eecc's flow scripts use, for tclsh.
#
# Each command appends one line to $::eecc_stub_log: the command and its arguments,
# separated by tabs. Handles are plausible: cells are "/name", pins "/cell/pin". The stubs
# fail like the tools where a script would be wrong: a pin of a cell that was never
# created, a connection of fewer than two objects, an odd -dict list, HLS commands outside
# an open project/solution, a block-design command before create_bd_design.

set eecc_stub_log_file [expr {[info exists ::env(EECC_STUB_LOG)] ? $::env(EECC_STUB_LOG) : "stub.log"}]
set eecc_stub_fd [open $eecc_stub_log_file w]
set eecc_stub_cells [dict create]
set eecc_stub_state [dict create project 0 solution 0 bd 0 vproject 0]

proc eecc_stub_record {cmd args} {
    puts $::eecc_stub_fd [join [concat [list $cmd] $args] "\t"]
    flush $::eecc_stub_fd
}

proc eecc_stub_need {key cmd} {
    if {![dict get $::eecc_stub_state $key]} {
        error "$cmd: no open $key"
    }
}

# --- Vivado HLS ----------------------------------------------------------------
proc open_project {args} {
    eecc_stub_record open_project {*}$args
    dict set ::eecc_stub_state project 1
    file mkdir [lindex $args end]
}
proc open_solution {args} {
    eecc_stub_need project open_solution
    eecc_stub_record open_solution {*}$args
    dict set ::eecc_stub_state solution 1
}
foreach eecc_cmd {set_top} {
    proc $eecc_cmd {args} "eecc_stub_need project $eecc_cmd; eecc_stub_record $eecc_cmd {*}\$args"
}
foreach eecc_cmd {set_part create_clock config_dataflow csynth_design export_design} {
    proc $eecc_cmd {args} "eecc_stub_need solution $eecc_cmd; eecc_stub_record $eecc_cmd {*}\$args"
}
proc close_project {args} {
    eecc_stub_record close_project {*}$args
    dict set ::eecc_stub_state project 0
    dict set ::eecc_stub_state solution 0
}

# add_files exists in both tools: HLS needs an open project, Vivado a created one.
proc add_files {args} {
    if {![dict get $::eecc_stub_state project] && ![dict get $::eecc_stub_state vproject]} {
        error "add_files: no open project"
    }
    eecc_stub_record add_files {*}$args
}

# --- Vivado ----------------------------------------------------------------------
proc create_project {args} {
    eecc_stub_record create_project {*}$args
    dict set ::eecc_stub_state vproject 1
    return [lindex [lsearch -inline -not -all $args -*] 0]
}
proc current_project {args} { eecc_stub_need vproject current_project; return project_1 }
proc current_fileset {args} { return sources_1 }
proc create_bd_design {name} {
    eecc_stub_need vproject create_bd_design
    eecc_stub_record create_bd_design $name
    dict set ::eecc_stub_state bd 1
}
proc create_bd_cell {args} {
    eecc_stub_need bd create_bd_cell
    eecc_stub_record create_bd_cell {*}$args
    set name [lindex $args end]
    if {[dict exists $::eecc_stub_cells $name]} { error "create_bd_cell: '$name' exists" }
    dict set ::eecc_stub_cells $name [lindex $args [expr {[lsearch $args -vlnv] + 1}]]
    return /$name
}
proc eecc_stub_pin {cmd path} {
    set cell [lindex [split [string trimleft $path /] /] 0]
    if {![dict exists $::eecc_stub_cells $cell]} { error "$cmd: no cell '$cell' for '$path'" }
    return /[string trimleft $path /]
}
proc get_bd_pins {path} { return [eecc_stub_pin get_bd_pins $path] }
proc get_bd_intf_pins {path} { return [eecc_stub_pin get_bd_intf_pins $path] }
proc get_bd_cells {name} { return [eecc_stub_pin get_bd_cells $name] }
proc connect_bd_net {args} {
    if {[llength $args] < 2} { error "connect_bd_net: needs two pins, got '$args'" }
    eecc_stub_record connect_bd_net {*}$args
}
proc connect_bd_intf_net {args} {
    if {[llength $args] != 2} { error "connect_bd_intf_net: needs two interfaces, got '$args'" }
    eecc_stub_record connect_bd_intf_net {*}$args
}
proc set_property {args} {
    if {[lindex $args 0] eq "-dict" && [llength [lindex $args 1]] % 2} {
        error "set_property -dict: odd list '[lindex $args 1]'"
    }
    eecc_stub_record set_property {*}$args
}
proc get_files {pattern} { return /stub/$pattern }
proc make_wrapper {args} { eecc_stub_need bd make_wrapper; eecc_stub_record make_wrapper {*}$args }
foreach eecc_cmd {update_ip_catalog apply_bd_automation assign_bd_address validate_bd_design
                  save_bd_design update_compile_order launch_runs wait_on_run} {
    proc $eecc_cmd {args} "eecc_stub_record $eecc_cmd {*}\$args"
}
