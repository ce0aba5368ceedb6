/** Signs in through next-auth's own endpoints, as the login page does, and returns the cookie. */
export { signInOverHttp as signIn } from '@/lib/api/sign-in-over-http';
