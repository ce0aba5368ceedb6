import { NavLink } from '@/components/shell/nav-link';

const SECTIONS = [
  { href: '/cluster', label: 'Cluster' },
  { href: '/configuration', label: 'Configuration' },
  { href: '/database', label: 'Database' },
  { href: '/workflows', label: 'Workflows' },
  { href: '/logs', label: 'Logs' },
  { href: '/users', label: 'Users' },
  { href: '/audit', label: 'Audit log' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/authentication', label: 'Authentication' },
  { href: '/validate', label: 'Validate' },
] as const;

export function MainNav() {
  return (
    <nav aria-label="Main">
      <ul className="space-y-1">
        {SECTIONS.map((section) => (
          <li key={section.href}>
            <NavLink href={section.href}>{section.label}</NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
