import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TCertificateView } from '@/lib/tls/certificate-view';

/** This node's certificate: the one it serves (read at start), the one on disk, keep-own-certificate. */
export function useCertificate() {
  return useSWR<TCertificateView, ApiError>('/api/config/certificate', fetcher);
}
