#!/bin/sh
# One point of scan bits: sh point.sh K
exec 'AEDLC' scan 'WORK/ae.aedl' --scan 'bits' -o 'WORK/condor' --task "$1"
