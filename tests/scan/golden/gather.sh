#!/bin/sh
# Gathers scan bits.
exec 'AEDLC' scan 'WORK/ae.aedl' --scan 'bits' -o 'WORK/condor' --gather
