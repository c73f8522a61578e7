/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every counter of the controller in one table, as Linux's net/mptcp/mib.h
 * and mib.c keep theirs: each row is X(ENUM, "Name") under its one-line
 * comment. The table generates the enums below and, through
 * user/common/mib.c, the names, `xmptcp stats -j` and the JSON summary and
 * subflow lines of xmptcpd; adding a counter is adding a row. "Name" is the
 * JSON key tests and users read: never rename one.
 *
 * The counters live where they are counted (struct xmp_tcp_sock.mib,
 * xmp_subflow.mib, xmp_join.mib, xmp_addr_conn.mib, xmp_msk.mib,
 * xmp_sched_conn.mib), so each layer's list is its own enum from 0, and
 * XMP_MIB_GROUPS names the layers for code that walks them all.
 *
 * Userspace only. It sits in include/ because the scheduler's public header
 * sizes struct xmp_sched_conn with XMP_SCHED_MIB_NR; user/tcp includes it
 * too without reaching into user/mptcp.
 */
#ifndef XMPTCP_MIB_H
#define XMPTCP_MIB_H

/* clang-format off */

/* TCP engine (user/tcp/), per subflow socket: sk->mib */
#define XMP_TCP_MIB_LIST(X) \
	/* segments handed to xmp_tcp_input() */ \
	X(XMP_TCP_MIB_IN_SEGS, "InSegs") \
	/* segments passed to ops->xmit() */ \
	X(XMP_TCP_MIB_OUT_SEGS, "OutSegs") \
	/* segments sent again (any reason) */ \
	X(XMP_TCP_MIB_RETRANS_SEGS, "RetransSegs") \
	/* retransmissions in fast recovery */ \
	X(XMP_TCP_MIB_FAST_RETRANS, "FastRetrans") \
	/* ... of which chosen from the SACK scoreboard */ \
	X(XMP_TCP_MIB_SACK_RETRANS, "SackRetrans") \
	/* retransmission timer expiries */ \
	X(XMP_TCP_MIB_RTO, "RtoExpired") \
	/* aborted after max retransmissions */ \
	X(XMP_TCP_MIB_RTO_ABORT, "RtoAbort") \
	/* fast recovery episodes entered */ \
	X(XMP_TCP_MIB_RECOVERY, "Recovery") \
	/* duplicate ACKs received */ \
	X(XMP_TCP_MIB_DUPACKS, "DupAcks") \
	/* valid SACK blocks received */ \
	X(XMP_TCP_MIB_SACKS_RCVD, "SackBlocksRcvd") \
	/* SACK blocks outside SND.UNA..SND.MAX ignored */ \
	X(XMP_TCP_MIB_SACK_INVALID, "SackBlocksInvalid") \
	/* segments sent carrying SACK blocks */ \
	X(XMP_TCP_MIB_SACKS_SENT, "SackSent") \
	/* out-of-order segments stored */ \
	X(XMP_TCP_MIB_OFO_QUEUED, "OfoQueued") \
	/* out-of-order segment dropped: range table full */ \
	X(XMP_TCP_MIB_OFO_DROP, "OfoDrop") \
	/* segments or parts outside the receive window */ \
	X(XMP_TCP_MIB_RCV_OUT_OF_WINDOW, "RcvOutOfWindow") \
	/* segments entirely below RCV.NXT */ \
	X(XMP_TCP_MIB_RCV_DUP, "RcvDup") \
	/* segments dropped by the RFC 7323 PAWS check */ \
	X(XMP_TCP_MIB_PAWS_DROP, "PawsDrop") \
	/* malformed TCP options ignored */ \
	X(XMP_TCP_MIB_BAD_OPTIONS, "BadOptions") \
	/* RFC 5961 challenge ACKs sent */ \
	X(XMP_TCP_MIB_CHALLENGE_ACK, "ChallengeAck") \
	/* challenge ACKs suppressed by the rate limit */ \
	X(XMP_TCP_MIB_CHALLENGE_LIMITED, "ChallengeAckLimited") \
	/* RFC 5961 5.2: ACK below SND.UNA - MAX.SND.WND */ \
	X(XMP_TCP_MIB_ACK_TOO_OLD, "AckTooOld") \
	/* ACK above SND.MAX: ACKed and dropped */ \
	X(XMP_TCP_MIB_ACK_TOO_NEW, "AckTooNew") \
	/* exact RSTs accepted */ \
	X(XMP_TCP_MIB_RST_RCVD, "RstRcvd") \
	/* RSTs sent */ \
	X(XMP_TCP_MIB_RST_SENT, "RstSent") \
	/* ACKs sent by the delayed-ACK timer */ \
	X(XMP_TCP_MIB_DELACK_TIMER, "DelayedAcks") \
	/* pure ACKs sent */ \
	X(XMP_TCP_MIB_ACKS_SENT, "AcksSent") \
	/* zero-window probes sent */ \
	X(XMP_TCP_MIB_WND_PROBES, "WindowProbes") \
	/* window updates sent after the app read */ \
	X(XMP_TCP_MIB_WND_UPDATES, "WindowUpdates") \
	/* segments dropped by ops->rcv_options() */ \
	X(XMP_TCP_MIB_HOOK_DROP, "HookDrop") \
	/* ACKs to invalid pure ACKs suppressed (ACK storm guard) */ \
	X(XMP_TCP_MIB_OOW_ACK_LIMITED, "OutOfWindowAckLimited") \
	/* payload bytes copied into the receive buffer */ \
	X(XMP_TCP_MIB_RCV_BUF_BYTES, "RcvBufBytes") \
	/* in-order payload bytes the layer above took from the segment */ \
	X(XMP_TCP_MIB_RCV_DIRECT_BYTES, "RcvDirectBytes") \
	/* bytes copied out of the receive buffer by recv/peek */ \
	X(XMP_TCP_MIB_RCV_READ_BYTES, "RcvBufReadBytes") \
	/* bytes copied into the send buffer */ \
	X(XMP_TCP_MIB_SND_BUF_BYTES, "SndBufBytes") \
	/* bytes queued whose memory the layer above keeps */ \
	X(XMP_TCP_MIB_SND_REF_BYTES, "SndRefBytes") \
	/* payload bytes copied to make a segment contiguous */ \
	X(XMP_TCP_MIB_SND_LINEAR_BYTES, "SndLinearBytes") \
	/* payload bytes handed to ops->xmit(), each copied into its frame */ \
	X(XMP_TCP_MIB_OUT_DATA_BYTES, "OutDataBytes") \
	/* data segments not sent: the layer above no longer held the bytes */ \
	X(XMP_TCP_MIB_SND_REF_MISSING, "SndRefMissing")

/* MP_CAPABLE handshake, mappings, fallback (mptcp/subflow.c): sf->mib */
#define XMP_SF_MIB_LIST(X) \
	/* MP_CAPABLE SYNs accepted (server) */ \
	X(XMP_SF_MIB_MPC_SYN_RX, "MPCapableSYNRX") \
	/* MP_CAPABLE SYN-ACKs accepted (client) */ \
	X(XMP_SF_MIB_MPC_SYNACK_RX, "MPCapableSYNACKRX") \
	/* MP_CAPABLE third ACKs accepted (server) */ \
	X(XMP_SF_MIB_MPC_ACK_RX, "MPCapableACKRX") \
	/* ... of which with the first data */ \
	X(XMP_SF_MIB_MPC_ACK_DATA_RX, "MPCapableACKDataRX") \
	/* MP_CAPABLE with a wrong version/flags/echoed key */ \
	X(XMP_SF_MIB_MPC_BAD, "MPCapableBad") \
	/* SYN without usable MP_CAPABLE: plain TCP */ \
	X(XMP_SF_MIB_FB_SYN, "MPCapableFallbackSYN") \
	/* SYN-ACK without usable MP_CAPABLE: plain TCP */ \
	X(XMP_SF_MIB_FB_SYNACK, "MPCapableFallbackSYNACK") \
	/* third ACK without MP_CAPABLE: plain TCP */ \
	X(XMP_SF_MIB_FB_ACK, "MPCapableFallbackACK") \
	/* options vanished before any DATA_ACK: infinite mapping */ \
	X(XMP_SF_MIB_FB_NO_DSS, "DSSFallback") \
	/* options vanished when fallback was not possible */ \
	X(XMP_SF_MIB_NO_DSS_RESET, "DSSNoMatchReset") \
	/* pure ACKs without DSS ignored (no fallback possible) */ \
	X(XMP_SF_MIB_NO_DSS_ACK, "DSSNoAckIgnored") \
	/* contradicting mapping: subflow reset */ \
	X(XMP_SF_MIB_MAP_RESET, "MapInvalidReset") \
	/* DSS checksum failures */ \
	X(XMP_SF_MIB_CSUM_FAIL, "DataCsumErr") \
	/* segments sent with MP_FAIL */ \
	X(XMP_SF_MIB_MP_FAIL_TX, "MPFailTx") \
	/* MP_FAIL received */ \
	X(XMP_SF_MIB_MP_FAIL_RX, "MPFailRx") \
	/* segments sent with an infinite mapping */ \
	X(XMP_SF_MIB_INFINITE_TX, "InfiniteMapTx") \
	/* infinite mappings received */ \
	X(XMP_SF_MIB_INFINITE_RX, "InfiniteMapRx") \
	/* valid MP_FASTCLOSE: connection aborted */ \
	X(XMP_SF_MIB_FASTCLOSE_RX, "MPFastcloseRx") \
	/* mapping not recorded: table full */ \
	X(XMP_SF_MIB_TXMAP_FULL, "TxMapFull") \
	/* mappings that extended the one before them */ \
	X(XMP_SF_MIB_MAP_MERGED, "MapMerged") \
	/* fallback refused: subflow stream != data stream, reset */ \
	X(XMP_SF_MIB_DESYNC_RESET, "FallbackDesyncReset") \
	/* MP_FAIL with no infinite mapping possible: reset */ \
	X(XMP_SF_MIB_MP_FAIL_RESET, "MPFailReset")

/* MP_JOIN handshakes (mptcp/join.c): jn->mib; xmptcpd totals ended ones */
#define XMP_JOIN_MIB_LIST(X) \
	/* MP_JOIN SYNs written (client, repeats included) */ \
	X(XMP_JOIN_MIB_SYN_TX, "MPJoinSynTx") \
	/* MP_JOIN SYNs accepted (server) */ \
	X(XMP_JOIN_MIB_SYN_RX, "MPJoinSynRx") \
	/* the same SYN again on its join: same SYN-ACK */ \
	X(XMP_JOIN_MIB_SYN_DUP, "MPJoinSynDup") \
	/* accepted SYNs with the B bit */ \
	X(XMP_JOIN_MIB_SYN_BACKUP_RX, "MPJoinSynBackupRx") \
	/* SYNs naming an unknown token: refused */ \
	X(XMP_JOIN_MIB_NO_TOKEN, "MPJoinNoTokenFound") \
	/* joins refused: connection at max_subflows */ \
	X(XMP_JOIN_MIB_LIMIT, "MPJoinRejected") \
	/* joins refused: connection closing, fallen back, aborted */ \
	X(XMP_JOIN_MIB_CLOSED, "MPJoinConnNotAccepting") \
	/* joins refused: peer nonce of a recent join */ \
	X(XMP_JOIN_MIB_REPLAY, "MPJoinReplayedNonce") \
	/* MP_JOIN SYN-ACKs written (server, repeats included) */ \
	X(XMP_JOIN_MIB_SYNACK_TX, "MPJoinSynAckTx") \
	/* SYN-ACKs with a valid truncated HMAC (client) */ \
	X(XMP_JOIN_MIB_SYNACK_RX, "MPJoinSynAckRx") \
	/* the same SYN-ACK again: ignored */ \
	X(XMP_JOIN_MIB_SYNACK_DUP, "MPJoinSynAckDup") \
	/* accepted SYN-ACKs with the B bit */ \
	X(XMP_JOIN_MIB_SYNACK_BACKUP_RX, "MPJoinSynAckBackupRx") \
	/* SYN-ACKs with a wrong truncated HMAC: reset */ \
	X(XMP_JOIN_MIB_SYNACK_HMAC, "MPJoinSynAckHMacFailure") \
	/* third ACKs written (client, repeats included) */ \
	X(XMP_JOIN_MIB_ACK_TX, "MPJoinAckTx") \
	/* third-ACK retransmission timeouts */ \
	X(XMP_JOIN_MIB_ACK_RTX, "MPJoinAckRtx") \
	/* gave up waiting for the fourth ACK: reset */ \
	X(XMP_JOIN_MIB_ACK_TIMEOUT, "MPJoinAckTimeout") \
	/* third ACKs with a valid HMAC (server) */ \
	X(XMP_JOIN_MIB_ACK_RX, "MPJoinAckRx") \
	/* third ACKs with a wrong HMAC: reset */ \
	X(XMP_JOIN_MIB_ACK_HMAC, "MPJoinAckHMacFailure") \
	/* third ACK repeated after establishment: ignored */ \
	X(XMP_JOIN_MIB_ACK_DUP, "MPJoinAckDup") \
	/* client: the ACK of the third ACK: established */ \
	X(XMP_JOIN_MIB_FOURTH_ACK_RX, "MPJoinFourthAckRx") \
	/* handshake segment without its MP_JOIN: reset */ \
	X(XMP_JOIN_MIB_NO_MPJ, "MPJoinMissingOption") \
	/* MP_JOIN out of place or contradicting: ignored */ \
	X(XMP_JOIN_MIB_IGNORED, "MPJoinIgnored")

/* ADD_ADDR/REMOVE_ADDR signalling (mptcp/addr.c): ac->mib; totals as JOIN */
#define XMP_ADDR_MIB_LIST(X) \
	/* ADD_ADDRs sent, first transmissions */ \
	X(XMP_ADDR_MIB_ADD_TX, "AddAddrTx") \
	/* ADD_ADDRs sent again: no echo in time */ \
	X(XMP_ADDR_MIB_ADD_RTX, "AddAddrTxRtx") \
	/* announcements never echoed after rtx_max retries */ \
	X(XMP_ADDR_MIB_ADD_GIVEN_UP, "AddAddrGivenUp") \
	/* echoes of our announcements received */ \
	X(XMP_ADDR_MIB_ECHO_RX, "EchoAdd") \
	/* echoes matching no announcement: ignored */ \
	X(XMP_ADDR_MIB_ECHO_UNKNOWN, "EchoAddUnknown") \
	/* echoes sent */ \
	X(XMP_ADDR_MIB_ECHO_TX, "EchoAddTx") \
	/* echoes not queued: queue full */ \
	X(XMP_ADDR_MIB_ECHO_DROP, "EchoAddTxDrop") \
	/* valid ADD_ADDRs that added a remote address */ \
	X(XMP_ADDR_MIB_ADD_RX, "AddAddr") \
	/* ... replacing one with its id or its address */ \
	X(XMP_ADDR_MIB_ADD_RX_REPLACE, "AddAddrReplace") \
	/* valid ADD_ADDRs already known (retransmission) */ \
	X(XMP_ADDR_MIB_ADD_RX_DUP, "AddAddrDup") \
	/* valid ADD_ADDRs beyond max_accepted: echoed only */ \
	X(XMP_ADDR_MIB_ADD_RX_REFUSED, "AddAddrRefusedLimit") \
	/* ADD_ADDRs with a wrong HMAC: dropped, no echo */ \
	X(XMP_ADDR_MIB_ADD_RX_BADHMAC, "AddAddrHMacFailure") \
	/* REMOVE_ADDRs sent */ \
	X(XMP_ADDR_MIB_RM_TX, "RmAddrTx") \
	/* REMOVE_ADDRs received */ \
	X(XMP_ADDR_MIB_RM_RX, "RmAddr") \
	/* remote addresses they removed */ \
	X(XMP_ADDR_MIB_RM_RX_REMOVED, "RmAddrRemoved") \
	/* ids they named that we had not learnt */ \
	X(XMP_ADDR_MIB_RM_RX_UNKNOWN, "RmAddrUnknown")

/* Data level of a connection (mptcp/conn.c): msk->mib */
#define XMP_MSK_MIB_LIST(X) \
	/* DATA_ACKs that acknowledged new data */ \
	X(XMP_MSK_MIB_DATA_ACK_IN, "DataAckIn") \
	/* DATA_ACKs below the acked point: window ignored */ \
	X(XMP_MSK_MIB_DATA_ACK_OLD, "DataAckOld") \
	/* DATA_ACKs for data never sent: ignored */ \
	X(XMP_MSK_MIB_DATA_ACK_INVALID, "DataAckInvalid") \
	/* mappings of new data built */ \
	X(XMP_MSK_MIB_MAPS_OUT, "MapsOut") \
	/* mappings of already-sent data (reinjection) */ \
	X(XMP_MSK_MIB_REINJECT, "Reinject") \
	/* next_map stopped by the peer's window */ \
	X(XMP_MSK_MIB_SND_WND_LIMITED, "SndWndLimited") \
	/* mappings accepted into a subflow's table */ \
	X(XMP_MSK_MIB_MAP_IN, "MapIn") \
	/* mappings already known (same or inside one) */ \
	X(XMP_MSK_MIB_MAP_DUP, "MapDup") \
	/* mappings contradicting an earlier one (3.3.1) */ \
	X(XMP_MSK_MIB_MAP_INVALID, "MapInvalid") \
	/* mappings dropped: subflow table full */ \
	X(XMP_MSK_MIB_MAP_TABLE_FULL, "MapTableFull") \
	/* subflow bytes with no mapping yet */ \
	X(XMP_MSK_MIB_NO_MAP, "NoMap") \
	/* mappings whose DSS checksum failed (3.7) */ \
	X(XMP_MSK_MIB_CSUM_ERR, "DssCsumErr") \
	/* bytes put in the reassembly buffer */ \
	X(XMP_MSK_MIB_DATA_IN, "DataIn") \
	/* bytes received again (other subflow, reinjection) */ \
	X(XMP_MSK_MIB_DUP_DATA, "DupData") \
	/* chunks stored out of order */ \
	X(XMP_MSK_MIB_OFO_QUEUED, "OfoQueued") \
	/* chunks dropped: out-of-order range table full */ \
	X(XMP_MSK_MIB_OFO_DROP, "OfoDrop") \
	/* bytes beyond the advertised window dropped */ \
	X(XMP_MSK_MIB_RCV_OUT_OF_WINDOW, "RcvOutOfWindow") \
	/* peer DATA_FINs reached in order */ \
	X(XMP_MSK_MIB_DATA_FIN_IN, "DataFinIn") \
	/* DATA_FINs contradicting an earlier one */ \
	X(XMP_MSK_MIB_DATA_FIN_BAD, "DataFinBad") \
	/* our DATA_FIN mapped */ \
	X(XMP_MSK_MIB_DATA_FIN_OUT, "DataFinOut") \
	/* MP_FASTCLOSE with our key: aborted */ \
	X(XMP_MSK_MIB_FASTCLOSE_IN, "FastcloseIn") \
	/* MP_FASTCLOSE with a wrong key: ignored */ \
	X(XMP_MSK_MIB_FASTCLOSE_BADKEY, "FastcloseBadKey") \
	/* MP_FASTCLOSE sent */ \
	X(XMP_MSK_MIB_FASTCLOSE_OUT, "FastcloseOut") \
	/* MP_FAIL received: infinite mapping next */ \
	X(XMP_MSK_MIB_MP_FAIL_IN, "MpFailIn") \
	/* MP_FAIL for a DSN outside what we sent, or without DSS checksums: ignored */ \
	X(XMP_MSK_MIB_MP_FAIL_BAD, "MpFailBad") \
	/* connection fell back to TCP */ \
	X(XMP_MSK_MIB_FALLBACK, "Fallback") \
	/* checksummed mappings entered mid-way: failed (3.3.1) */ \
	X(XMP_MSK_MIB_CSUM_UNCHECKABLE, "DssCsumUncheckable") \
	/* bytes copied into the send buffer (from the application) */ \
	X(XMP_MSK_MIB_SND_BUF_BYTES, "DataSndBufBytes") \
	/* bytes copied out of the send buffer (xmp_msk_copy()) */ \
	X(XMP_MSK_MIB_SND_COPY_BYTES, "DataSndCopyBytes") \
	/* bytes copied into the reassembly buffer (duplicates included) */ \
	X(XMP_MSK_MIB_RCV_BUF_BYTES, "DataRcvBufBytes") \
	/* bytes copied out of the reassembly buffer to the application */ \
	X(XMP_MSK_MIB_READ_BYTES, "DataReadBytes")

/* Packet scheduler of a connection (mptcp/sched.c): cs->mib */
#define XMP_SCHED_MIB_LIST(X) \
	/* get_subflows() calls */ \
	X(XMP_SCHED_MIB_DECISIONS, "sched_decisions") \
	/* decisions that sent nothing (-EAGAIN) */ \
	X(XMP_SCHED_MIB_WAIT, "sched_waits") \
	/* picks refused: bad index, duplicate, inactive, no room */ \
	X(XMP_SCHED_MIB_PICK_DROPPED, "sched_picks_dropped") \
	/* live swaps done */ \
	X(XMP_SCHED_MIB_SWAPS, "sched_swaps") \
	/* swaps abandoned: the new policy's init() failed */ \
	X(XMP_SCHED_MIB_SWAP_FAILED, "sched_swaps_failed")

/* clang-format on */

#define XMP_MIB_ENUM(e, name) e,

enum xmp_tcp_mib { XMP_TCP_MIB_LIST(XMP_MIB_ENUM) XMP_TCP_MIB_NR };
enum xmp_sf_mib { XMP_SF_MIB_LIST(XMP_MIB_ENUM) XMP_SF_MIB_NR };
enum xmp_join_mib { XMP_JOIN_MIB_LIST(XMP_MIB_ENUM) XMP_JOIN_MIB_NR };
enum xmp_addr_mib { XMP_ADDR_MIB_LIST(XMP_MIB_ENUM) XMP_ADDR_MIB_NR };
enum xmp_msk_mib { XMP_MSK_MIB_LIST(XMP_MIB_ENUM) XMP_MSK_MIB_NR };
enum xmp_sched_conn_mib { XMP_SCHED_MIB_LIST(XMP_MIB_ENUM) XMP_SCHED_MIB_NR };

/* The layers, each with its list and its count: G(GROUP, LIST, NR) */
#define XMP_MIB_GROUPS(G)                                                                          \
	G(XMP_MIB_TCP, XMP_TCP_MIB_LIST, XMP_TCP_MIB_NR)                                           \
	G(XMP_MIB_SF, XMP_SF_MIB_LIST, XMP_SF_MIB_NR)                                              \
	G(XMP_MIB_JOIN, XMP_JOIN_MIB_LIST, XMP_JOIN_MIB_NR)                                        \
	G(XMP_MIB_ADDR, XMP_ADDR_MIB_LIST, XMP_ADDR_MIB_NR)                                        \
	G(XMP_MIB_MSK, XMP_MSK_MIB_LIST, XMP_MSK_MIB_NR)                                           \
	G(XMP_MIB_SCHED, XMP_SCHED_MIB_LIST, XMP_SCHED_MIB_NR)

#define XMP_MIB_GROUP_ENUM(g, list, nr) g,
enum xmp_mib_group { XMP_MIB_GROUPS(XMP_MIB_GROUP_ENUM) XMP_MIB_NR_GROUPS };

#endif
