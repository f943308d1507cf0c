# Sourced by the tools that run tshark over the bundled captures (fuzz-captures.sh,
# valgrind-captures.sh): tshark with kasme, the capture's key file and the preferences its
# link type needs, as the capture tests use them.
# capture_tshark CAPTURE FILE [tshark options...]: reads FILE (CAPTURE or a mutant of it).
# The environment (KASME_PLUGIN_TREE, LD_PRELOAD, KASME_TSHARK_WRAPPER, ...) is passed on.
capture_tshark() {
    cap="$1" file="$2"
    shift 2
    keys=keyfiles/srsran-milenage.keys
    case "$cap" in
        *s05-xor*) keys=keyfiles/srsran-xor.keys ;;
        captures/public5g/*) keys=keyfiles/public5g.keys ;;
        captures/5g-*|captures/s*-open5gs-*) keys="$(dirname "$cap")/subscriber.keys" ;;
    esac
    case "$cap" in
        *s1ap*)
            set -- "$@" -o 'uat:user_dlts:"User 3 (DLT=150)","s1ap","0","","0",""' ;;
        *mac*)
            set -- "$@" -o 'uat:user_dlts:"User 2 (DLT=149)","udp","0","","0",""' \
                --enable-heuristic mac_lte_udp -o mac-lte.attempt_rrc_decode:TRUE \
                -o mac-lte.attempt_to_dissect_srb_sdus:TRUE -o rlc-lte.call_pdcp_for_srb:TRUE \
                -o pdcp-lte.show_signalling_plane_as_rrc:TRUE -o kasme.decipher_user_plane:TRUE ;;
        *.pcapng) # Open5GS's SBI (cleartext HTTP/2 on 7777): kasme reads the keys it carries
            set -- "$@" -d tcp.port==7777,http2 ;;
        *)
            set -- "$@" -o 'uat:user_dlts:"User 1 (DLT=148)","nas-eps","0","","0",""' ;;
    esac
    tools/kasme-tshark -r "$file" -o "kasme.key_file:$keys" "$@"
}

# The bundled captures, one a line: LTE (srsRAN), the 5G lab's NGAP captures and the public 5G
# captures.
bundled_captures() {
    printf '%s\n' captures/*/*.pcap captures/5g-*/ngap.pcapng captures/public5g/*/*.pcap \
        captures/public5g/*/*.pcapng | grep -v '\*'
}
